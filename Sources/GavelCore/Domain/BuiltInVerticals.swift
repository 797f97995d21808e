/// The verticals the exchange ships with, ready to sell: the fields real buyers in each market
/// ask for, with personal fields marked.
public enum BuiltInVerticals {
    /// All built-in verticals.
    public static var all: [Vertical] { [autoInsurance, healthInsurance, mortgage, solar] }

    static let creditRatings = ["excellent", "good", "fair", "poor"]

    /// Contact fields shared by every vertical, all personal.
    static func contact(phoneRequired: Bool = true) -> [FieldSpec] {
        [
            FieldSpec("first_name", .string, required: true, pii: true),
            FieldSpec("last_name", .string, required: true, pii: true),
            FieldSpec("phone", .phone, required: phoneRequired, pii: true),
            FieldSpec("email", .email, pii: true),
            FieldSpec("street_address", .string, pii: true),
            FieldSpec("city", .string),
        ]
    }

    static func location() -> [FieldSpec] {
        [FieldSpec("zip", .string, required: true), FieldSpec("state", .string, required: true)]
    }

    /// Auto insurance: driver, vehicle and current coverage.
    public static var autoInsurance: Vertical {
        let fields: [FieldSpec] =
            location() + [
                FieldSpec("age", .integer, minimum: Number(16), maximum: Number(110)),
                FieldSpec("birth_date", .date, pii: true),
                FieldSpec("gender", .enum, values: ["male", "female", "other"]),
                FieldSpec("marital_status", .enum, values: ["single", "married", "divorced", "widowed"]),
                FieldSpec("vehicle_year", .integer, minimum: Number(1950), maximum: Number(2030)),
                FieldSpec("vehicle_make", .string),
                FieldSpec("vehicle_model", .string),
                FieldSpec("vehicle_count", .integer, minimum: Number(1), maximum: Number(10)),
                FieldSpec("currently_insured", .boolean),
                FieldSpec("current_carrier", .string),
                FieldSpec("homeowner", .boolean),
                FieldSpec("credit_rating", .enum, values: creditRatings),
                FieldSpec("accidents_3y", .integer, minimum: Number(0), maximum: Number(20)),
                FieldSpec("dui", .boolean),
            ] + contact()
        return Vertical(id: "auto_insurance", name: "Auto insurance", fields: fields, floor: Money(cents: 200), maxSales: 3)
    }

    /// Health insurance: household, coverage and health markers.
    public static var healthInsurance: Vertical {
        let fields: [FieldSpec] =
            location() + [
                FieldSpec("age", .integer, minimum: Number(0), maximum: Number(120)),
                FieldSpec("birth_date", .date, pii: true),
                FieldSpec("gender", .enum, values: ["male", "female", "other"]),
                FieldSpec("household_size", .integer, minimum: Number(1), maximum: Number(20)),
                FieldSpec("household_income", .integer, minimum: Number(0)),
                FieldSpec("currently_insured", .boolean),
                FieldSpec("coverage_type", .enum, values: ["individual", "family", "medicare", "short_term", "dental"]),
                FieldSpec("tobacco_use", .boolean),
                FieldSpec("pre_existing_conditions", .boolean),
                FieldSpec("qualifying_life_event", .boolean),
            ] + contact()
        return Vertical(id: "health_insurance", name: "Health insurance", fields: fields, floor: Money(cents: 300), maxSales: 3)
    }

    /// Mortgage: loan, property and borrower profile.
    public static var mortgage: Vertical {
        let fields: [FieldSpec] =
            location() + [
                FieldSpec("loan_purpose", .enum, required: true, values: ["purchase", "refinance", "cash_out", "heloc"]),
                FieldSpec("loan_amount", .integer, minimum: Number(1_000)),
                FieldSpec("property_value", .integer, minimum: Number(1_000)),
                FieldSpec("property_type", .enum, values: ["single_family", "condo", "townhouse", "multi_family", "mobile"]),
                FieldSpec("occupancy", .enum, values: ["primary", "secondary", "investment"]),
                FieldSpec("credit_rating", .enum, values: creditRatings),
                FieldSpec("military_veteran", .boolean),
                FieldSpec("bankruptcy_7y", .boolean),
                FieldSpec("employment_status", .enum, values: ["employed", "self_employed", "retired", "unemployed"]),
                FieldSpec("age", .integer, minimum: Number(18), maximum: Number(110)),
                FieldSpec("birth_date", .date, pii: true),
            ] + contact()
        return Vertical(id: "mortgage", name: "Mortgage", fields: fields, floor: Money(cents: 500), maxSales: 4)
    }

    /// Residential solar: home, roof and utility.
    public static var solar: Vertical {
        let fields: [FieldSpec] =
            location() + [
                FieldSpec("homeowner", .boolean, required: true),
                FieldSpec("monthly_electric_bill", .integer, minimum: Number(0), maximum: Number(5_000)),
                FieldSpec("utility_provider", .string),
                FieldSpec("roof_shade", .enum, values: ["none", "some", "heavy"]),
                FieldSpec("property_type", .enum, values: ["single_family", "condo", "townhouse", "multi_family", "mobile"]),
                FieldSpec("credit_rating", .enum, values: creditRatings),
                FieldSpec("age", .integer, minimum: Number(18), maximum: Number(110)),
            ] + contact()
        return Vertical(id: "solar", name: "Residential solar", fields: fields, floor: Money(cents: 500), maxSales: 4)
    }
}
