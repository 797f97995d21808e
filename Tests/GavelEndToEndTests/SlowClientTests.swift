import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Slow clients", .serialized)
struct SlowClientTests {
    /// Sends `head` and part of a body over a raw socket, then waits for the server's answer.
    static func trickle(port: Int, head: String, partialBody: String) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        _ = (head + partialBody).withCString { send(fd, $0, strlen($0), 0) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    }

    @Test func aBodyThatTricklesInIsCutOffWith408() async throws {
        let server = try GavelProcess(["serve", "--port", "0", "--admin-token", "adm"])
        let url = try await server.waitUntilListening()
        let port = try #require(Int(url.split(separator: ":").last ?? ""))
        let head =
            "POST /v1/sellers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer adm\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
        let started = ContinuousClock.now
        // A blocking socket read belongs on its own thread, not on the concurrency pool.
        let answer = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Self.trickle(port: port, head: head, partialBody: "{\"id\": ")) }.start()
        }
        #expect(answer.hasPrefix("HTTP/1.1 408"), "answered: \(answer.prefix(80))")
        #expect(started.duration(to: .now) < .seconds(19))
        #expect(await server.terminate() == 0)
    }
}
