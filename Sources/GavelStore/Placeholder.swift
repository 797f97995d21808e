import GRDB
import PostgresNIO
import Crypto
