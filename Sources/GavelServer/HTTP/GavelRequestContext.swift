import GavelCore
import Hummingbird

/// Who is calling: the role and subject of the API key that authenticated the request.
public struct Identity: Sendable, Hashable {
    /// The key's id (`bootstrap` for the environment's admin token).
    public var keyID: String
    /// Its role.
    public var role: Role
    /// The seller or buyer it is bound to.
    public var subjectID: String?

    /// Creates an identity.
    public init(keyID: String, role: Role, subjectID: String?) {
        self.keyID = keyID
        self.role = role
        self.subjectID = subjectID
    }
}

/// The request context of the exchange's routes: Hummingbird's core context plus the caller.
public struct GavelRequestContext: RequestContext {
    /// Hummingbird's storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller, set by the auth middleware.
    public var identity: Identity?

    /// Creates a context for a request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies over 1 MiB are refused with 413.
    public var maxUploadSize: Int { 1 << 20 }

    /// The caller, who must have one of `roles`; 401 without a key, 403 with the wrong role.
    public func require(_ roles: Role...) throws -> Identity {
        guard let identity else { throw Problem.unauthorized }
        guard roles.contains(identity.role) else {
            let names = roles.map(\.rawValue).joined(separator: " or ")
            throw Problem.forbidden("This needs a \(names) key; this key is a \(identity.role.rawValue) key.")
        }
        return identity
    }

    /// The seller a seller key is bound to.
    public func requireSeller() throws -> String {
        let identity = try require(.seller)
        guard let seller = identity.subjectID else { throw Problem.forbidden("This key is not bound to a seller.") }
        return seller
    }

    /// The buyer a buyer key is bound to.
    public func requireBuyer() throws -> String {
        let identity = try require(.buyer)
        guard let buyer = identity.subjectID else { throw Problem.forbidden("This key is not bound to a buyer.") }
        return buyer
    }
}
