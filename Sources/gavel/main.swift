import ArgumentParser
import Histogram
print("hi")
