import NIOSSL

/// Extra certificate authorities for `https` buyer and webhook calls, read from a PEM file.
public enum TrustRoots {
    /// Why a trust roots file cannot be used.
    public struct Unusable: Error, CustomStringConvertible {
        /// What is wrong with it, for the operator.
        public var description: String
    }

    /// How many certificates the PEM file at `path` holds; throws ``Unusable`` when it cannot be
    /// read or holds none.
    public static func certificates(in path: String) throws -> Int {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw Unusable(description: "cannot read PEM certificates from this file (\(error))")
        }
        guard !certificates.isEmpty else { throw Unusable(description: "the file holds no PEM certificate") }
        return certificates.count
    }
}
