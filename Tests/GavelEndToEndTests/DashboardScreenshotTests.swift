import AsyncHTTPClient
import Foundation
import GavelCore
import Testing

/// Takes a headless Chromium screenshot of the dashboard's overview while `gavel demo` sends
/// leads, and checks the picture is not blank. Skipped when `chromium` is not on the PATH.
///
/// Chromium cannot post the sign-in form headlessly, so the test signs it in with a one-time
/// link: `POST /v1/dashboard/links` with the admin key returns `/login?token=…`, a random token
/// that works once within a minute and never holds the key. Set `GAVEL_DASHBOARD_SCREENSHOT`
/// to a path to keep the picture (e.g. `docs/dashboard.png`).
@Suite("The dashboard in a real browser", .serialized)
struct DashboardScreenshotTests {
    /// The Chromium binary on the PATH, if any.
    static let chromium: String? = Executable.find("chromium") ?? Executable.find("chromium-browser")

    @Test(.enabled(if: chromium != nil, "chromium is not on the PATH"))
    func theOverviewDuringADemoIsNotBlank() async throws {
        let token = "e2e-admin-\(UUID().uuidString)"
        let demo = try GavelProcess(["demo", "--port", "0", "--rate", "20", "--duration", "120", "--admin-token", token])
        defer { if demo.process.isRunning { demo.process.terminate() } }
        let base = try await demo.waitUntilListening()
        let client = Client(http: HTTPClient.shared, baseURL: base)
        try await Self.waitForSales(client, key: token, atLeast: 20)

        let dom = try await Self.chromium(["--dump-dom", base + (try await Self.link(client, key: token))], folder: demo.folder)
        #expect(dom.contains("<h1>Overview</h1>"), "signed in and on the overview")
        #expect(dom.contains("Last 24 hours by hour"))
        #expect(dom.contains("<svg class=\"chart\""))

        let png = demo.folder.appendingPathComponent("overview.png")
        _ = try await Self.chromium(
            ["--screenshot=\(png.path)", "--window-size=1280,900", "--hide-scrollbars", base + (try await Self.link(client, key: token))],
            folder: demo.folder)
        let image = try Data(contentsOf: png)
        #expect(image.count > 20_000, "a screenshot of a real page, not an empty one (\(image.count) bytes)")
        #expect(image.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG")
        if let colors = try await PNGColors.measure(png) {
            #expect(colors.distinct >= 16, "many colours, not a blank page: \(colors)")
            #expect(colors.dominantShare < 0.97, "no single colour fills the page: \(colors)")
        }
        if let keep = ProcessInfo.processInfo.environment["GAVEL_DASHBOARD_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: keep))
        }
        _ = await demo.terminate()
    }

    /// Waits until the demo has sold some leads.
    static func waitForSales(_ client: Client, key: String, atLeast wanted: Int) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            let rows = try await client.call(.GET, "/v1/reports?group_by=hour", key: key).body.arrayValue ?? []
            let sold = rows.compactMap { $0["sold"]?.numberValue?.integerValue }.reduce(0, +)
            if sold >= wanted { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("the demo sold fewer than \(wanted) leads in a minute")
    }

    /// A fresh one-time sign-in link (a local path).
    static func link(_ client: Client, key: String) async throws -> String {
        let minted = try await client.call(.POST, "/v1/dashboard/links", key: key)
        #expect(minted.status == 201)
        let url = try #require(minted.body["url"]?.stringValue)
        #expect(!url.contains(key), "the link never carries the key")
        return url
    }

    /// Runs headless Chromium with its own throw-away profile; returns what it printed.
    static func chromium(_ arguments: [String], folder: URL) async throws -> String {
        let profile = folder.appendingPathComponent("chromium-\(UUID().uuidString)")
        let base = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(profile.path)",
        ]
        return try await Executable.run(try #require(chromium), base + arguments, timeout: .seconds(90))
    }
}

/// How many colours a PNG has and how much of it the commonest one covers, counted by a small
/// Python script (the standard library's zlib; no imaging package needed).
struct PNGColors: CustomStringConvertible {
    var distinct: Int
    var dominantShare: Double

    var description: String { "\(distinct) colours, the commonest on \(Int(dominantShare * 100))%" }

    /// The counts, or `nil` when `python3` is not available.
    static func measure(_ png: URL) async throws -> PNGColors? {
        guard let python = Executable.find("python3") else { return nil }
        let result = try await ChildProcess.run([python, "-c", script, png.path], standardError: .discarded)
        let parts = result.output.split(whereSeparator: \.isWhitespace)
        guard result.status == 0, parts.count == 2, let distinct = Int(parts[0]), let share = Double(parts[1]) else {
            Issue.record("could not read the PNG: \(result.output)")
            return nil
        }
        return PNGColors(distinct: distinct, dominantShare: share)
    }

    /// Decodes an 8-bit RGB or RGBA PNG (filters 0–4) and prints `<distinct colours> <share>`.
    static let script = """
        import sys, zlib, struct, collections
        data = open(sys.argv[1], 'rb').read()
        pos, idat, width, height, ctype = 8, b'', 0, 0, 0
        while pos < len(data):
            length, kind = struct.unpack('>I4s', data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            if kind == b'IHDR':
                width, height, depth, ctype = struct.unpack('>IIBB', body[:10])
                assert depth == 8 and ctype in (2, 6), (depth, ctype)
            elif kind == b'IDAT':
                idat += body
            pos += 12 + length
        bpp = 3 if ctype == 2 else 4
        raw, stride = zlib.decompress(idat), width * bpp
        prev, counts, i = bytearray(stride), collections.Counter(), 0
        for _ in range(height):
            ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
            i += 1 + stride
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                if ftype == 1: line[x] = (line[x] + a) & 255
                elif ftype == 2: line[x] = (line[x] + b) & 255
                elif ftype == 3: line[x] = (line[x] + (a + b) // 2) & 255
                elif ftype == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            counts.update(bytes(line[x:x + 3]) for x in range(0, stride, bpp))
            prev = line
        print(len(counts), counts.most_common(1)[0][1] / (width * height))
        """
}

/// Finding and running other programs.
enum Executable {
    /// The path of a program on the PATH.
    static func find(_ name: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program to its end (killing it after `timeout`); returns its standard output.
    static func run(_ path: String, _ arguments: [String], timeout: Duration) async throws -> String {
        let result = try await ChildProcess.run([path] + arguments, standardError: .discarded, timeout: timeout)
        if result.timedOut { Issue.record("\(path) did not finish within \(timeout)") }
        return result.output
    }
}
