extension PostgresSchema {
    /// Privacy: the database's secret for contact keys (32 bytes from the server's strong
    /// random source), the time a lead's personal data was erased (with an index of the leads
    /// not erased yet, for the retention setting), the record of erasures, and every stored
    /// contact key — plain SHA-256 digests before — keyed with the secret (see ``rekey``).
    static let privacy =
        [
            """
            CREATE TABLE privacy_secret (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                secret BYTEA NOT NULL
            )
            """,
            """
            INSERT INTO privacy_secret (id, secret)
            SELECT 1, sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8'))
            """,
            "ALTER TABLE leads ADD COLUMN erased_at BIGINT",
            "CREATE INDEX leads_unerased ON leads (received_at) WHERE erased_at IS NULL",
            """
            CREATE TABLE erasures (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                at BIGINT NOT NULL,
                leads BIGINT NOT NULL,
                contact_keys TEXT NOT NULL,
                received_before BIGINT
            )
            """,
            "CREATE INDEX erasures_at ON erasures (at)",
            hmacPadFunction,
            keyedDigestFunction,
        ] + rekey

    /// The secret XOR-ed with an HMAC pad byte (`0x36` inner, `0x5c` outer), zero-padded to
    /// SHA-256's 64-byte block.
    static let hmacPadFunction = """
        CREATE FUNCTION gavel_hmac_pad(p_secret BYTEA, p_pad INTEGER) RETURNS BYTEA LANGUAGE plpgsql IMMUTABLE AS $$
        DECLARE
            v_block BYTEA := p_secret || decode(repeat('00', 64 - length(p_secret)), 'hex');
        BEGIN
            FOR i IN 0..63 LOOP
                v_block := set_byte(v_block, i, get_byte(v_block, i) # p_pad);
            END LOOP;
            RETURN v_block;
        END
        $$
        """

    /// HMAC-SHA256 of a 32-byte SHA-256 digest with the database's secret: what the exchange's
    /// `KeyedContactHasher` computes, here for keys the database already holds.
    static let keyedDigestFunction = """
        CREATE FUNCTION gavel_keyed_digest(p_digest BYTEA) RETURNS BYTEA LANGUAGE sql STABLE AS $$
            SELECT sha256(gavel_hmac_pad(secret, 92) || sha256(gavel_hmac_pad(secret, 54) || p_digest)) FROM privacy_secret
        $$
        """

    /// Re-keys the contact keys of leads (their JSON and their index) and suppression lists.
    /// A key that is not a lower-case hex digest is left as it is.
    static let rekey = [
        "UPDATE lead_contacts SET key = gavel_keyed_digest(key)",
        "UPDATE suppressions SET hash = gavel_keyed_digest(hash)",
        """
        UPDATE leads SET contacts = json_build_object(
            'emails', \(rekeyedList("emails")), 'phones', \(rekeyedList("phones")))::text
        WHERE contacts NOT IN ('{"emails":[],"phones":[]}', '{"phones":[],"emails":[]}')
        """,
    ]

    private static func rekeyedList(_ name: String) -> String {
        """
        COALESCE((SELECT json_agg(CASE WHEN k ~ '^[0-9a-f]{64}$' THEN encode(gavel_keyed_digest(decode(k, 'hex')), 'hex') ELSE k END
            ORDER BY n) FROM json_array_elements_text(contacts::json -> '\(name)') WITH ORDINALITY AS t (k, n)), '[]'::json)
        """
    }
}
