import GavelCore

/// A US state as the lead generator draws it: how common it is, and ZIP prefixes, area codes
/// and cities that belong to it.
struct SimState: Sendable {
    var code: String
    var weight: Double
    var zipPrefixes: [Int]
    var areaCodes: [Int]
    var cities: [String]

    static let all: [SimState] = [
        SimState(
            code: "CA", weight: 12, zipPrefixes: [900, 913, 921, 941, 956], areaCodes: [213, 310, 415, 619, 916],
            cities: ["Los Angeles", "San Diego", "San Francisco", "Sacramento"]),
        SimState(
            code: "TX", weight: 9, zipPrefixes: [750, 770, 782, 787], areaCodes: [214, 512, 713, 210],
            cities: ["Houston", "Dallas", "Austin", "San Antonio"]),
        SimState(
            code: "FL", weight: 7, zipPrefixes: [331, 328, 336, 322], areaCodes: [305, 407, 813, 904],
            cities: ["Miami", "Orlando", "Tampa", "Jacksonville"]),
        SimState(
            code: "NY", weight: 6, zipPrefixes: [100, 112, 117, 146], areaCodes: [212, 718, 516, 585],
            cities: ["New York", "Brooklyn", "Hempstead", "Rochester"]),
        SimState(
            code: "PA", weight: 4, zipPrefixes: [191, 152, 171], areaCodes: [215, 412, 717],
            cities: ["Philadelphia", "Pittsburgh", "Harrisburg"]),
        SimState(
            code: "IL", weight: 4, zipPrefixes: [606, 605, 627], areaCodes: [312, 773, 217],
            cities: ["Chicago", "Naperville", "Springfield"]),
        SimState(
            code: "OH", weight: 3.5, zipPrefixes: [441, 432, 452], areaCodes: [216, 614, 513],
            cities: ["Cleveland", "Columbus", "Cincinnati"]),
        SimState(
            code: "GA", weight: 3.2, zipPrefixes: [303, 300, 314], areaCodes: [404, 678, 912], cities: ["Atlanta", "Marietta", "Savannah"]),
        SimState(
            code: "NC", weight: 3.2, zipPrefixes: [282, 276, 274], areaCodes: [704, 919, 336],
            cities: ["Charlotte", "Raleigh", "Greensboro"]),
        SimState(
            code: "MI", weight: 3, zipPrefixes: [482, 495, 480], areaCodes: [313, 616, 248], cities: ["Detroit", "Grand Rapids", "Troy"]),
        SimState(
            code: "NJ", weight: 2.8, zipPrefixes: [70, 77, 88], areaCodes: [201, 732, 973], cities: ["Newark", "Toms River", "Edison"]),
        SimState(
            code: "AZ", weight: 2.2, zipPrefixes: [850, 852, 857], areaCodes: [602, 480, 520], cities: ["Phoenix", "Mesa", "Tucson"]),
        SimState(
            code: "WA", weight: 2.3, zipPrefixes: [981, 984, 992], areaCodes: [206, 253, 509], cities: ["Seattle", "Tacoma", "Spokane"]),
        SimState(
            code: "MA", weight: 2.1, zipPrefixes: [21, 17, 11], areaCodes: [617, 508, 413], cities: ["Boston", "Worcester", "Springfield"]),
        SimState(
            code: "CO", weight: 1.8, zipPrefixes: [802, 809, 805], areaCodes: [303, 719, 970],
            cities: ["Denver", "Colorado Springs", "Fort Collins"]),
        SimState(code: "NV", weight: 1, zipPrefixes: [891, 895], areaCodes: [702, 775], cities: ["Las Vegas", "Reno"]),
        SimState(code: "OR", weight: 1.3, zipPrefixes: [972, 974], areaCodes: [503, 541], cities: ["Portland", "Eugene"]),
        SimState(code: "MN", weight: 1.7, zipPrefixes: [554, 551], areaCodes: [612, 651], cities: ["Minneapolis", "Saint Paul"]),
    ]

    static let weights = all.map(\.weight)
}

/// The consumer behind a lead: where they live and how to reach them.
struct SimPerson: Sendable {
    var state: SimState
    var first: String
    var last: String
    var counter: Int
    var age: Int

    static let firstNames = [
        "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William",
        "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Maria", "Wei", "Aisha", "Noah",
        "Olivia", "Liam", "Emma", "Mateo", "Sofia", "Ethan", "Ava",
    ]
    static let lastNames = [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
        "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Nguyen", "Chen",
        "Patel", "Kim", "Walker", "Young", "Allen", "King", "Wright",
    ]
    static let streets = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Elm St", "Lakeview Rd", "Hillcrest Way"]

    static func make(_ random: inout SimRandom, counter: Int) -> SimPerson {
        let state = SimState.all[random.weightedIndex(SimState.weights)]
        let age = min(85, max(18, Int(random.normal(mean: 44, deviation: 15).rounded())))
        return SimPerson(state: state, first: random.pick(firstNames), last: random.pick(lastNames), counter: counter, age: age)
    }

    /// A valid NANP phone unique per counter: area code of the state, exchange 200–999 and
    /// line 0000–9999 from the counter.
    var phone: String {
        let exchange = 200 + (counter / 10_000) % 800
        let line = counter % 10_000
        return String(state.areaCodes[counter % state.areaCodes.count]) + String(exchange) + Self.padded(line, 4)
    }

    var email: String {
        "\(first.lowercased()).\(last.lowercased()).\(counter)@example.com"
    }

    func zip(_ random: inout SimRandom) -> String {
        Self.padded(random.pick(state.zipPrefixes), 3) + Self.padded(random.int(0...99), 2)
    }

    /// The contact and location fields every vertical shares.
    func contactFields(_ random: inout SimRandom) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "zip": .string(zip(&random)), "state": .string(state.code), "first_name": .string(first),
            "last_name": .string(last), "phone": .string(phone),
        ]
        if random.chance(0.8) { fields["email"] = .string(email) }
        if random.chance(0.7) { fields["street_address"] = .string("\(random.int(10...9_899)) \(random.pick(Self.streets))") }
        if random.chance(0.75) { fields["city"] = .string(random.pick(state.cities)) }
        return fields
    }

    /// A birth date consistent with the age, as `YYYY-MM-DD`.
    func birthDate(_ random: inout SimRandom) -> String {
        "\(2025 - age)-\(Self.padded(random.int(1...12), 2))-\(Self.padded(random.int(1...28), 2))"
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// The vertical-specific fields of generated leads, in normalized form.
enum SimFields {
    static let credit = ["excellent", "good", "fair", "poor"]
    static let creditWeights = [0.22, 0.4, 0.25, 0.13]
    static let makes = [
        ("Toyota", ["Camry", "Corolla", "RAV4"]), ("Ford", ["F-150", "Escape", "Focus"]), ("Honda", ["Civic", "Accord", "CR-V"]),
        ("Chevrolet", ["Silverado", "Malibu", "Equinox"]), ("Tesla", ["Model 3", "Model Y"]),
    ]
    static let carriers = ["State Farm", "Geico", "Progressive", "Allstate", "USAA", "Liberty Mutual"]
    static let utilities = ["PG&E", "Duke Energy", "ConEd", "FPL", "Xcel Energy", "APS"]
    static let properties = ["single_family", "condo", "townhouse", "multi_family", "mobile"]

    static func make(_ vertical: String, person: inout SimPerson, random: inout SimRandom) -> [String: JSONValue] {
        var fields: [String: JSONValue]
        switch vertical {
        case "auto_insurance": fields = auto(person, &random)
        case "health_insurance": fields = health(person, &random)
        case "solar": fields = solar(person, &random)
        case "mortgage": fields = mortgage(person, &random)
        default: fields = [:]
        }
        if vertical != "solar", random.chance(0.5) { fields["birth_date"] = .string(person.birthDate(&random)) }
        return fields
    }

    static func int(_ value: Int) -> JSONValue { .number(Number(value)) }

    static func creditRating(_ random: inout SimRandom) -> JSONValue {
        .string(credit[random.weightedIndex(creditWeights)])
    }

    static func auto(_ person: SimPerson, _ random: inout SimRandom) -> [String: JSONValue] {
        let (make, models) = random.pick(makes)
        let insured = random.chance(0.72)
        var fields: [String: JSONValue] = [
            "age": int(person.age), "gender": .string(random.pick(["male", "female"])),
            "marital_status": .string(random.pick(["single", "married", "married", "divorced"])),
            "vehicle_year": int(random.int(2006...2025)), "vehicle_make": .string(make), "vehicle_model": .string(random.pick(models)),
            "vehicle_count": int(random.weightedIndex([0.6, 0.3, 0.1]) + 1), "currently_insured": .bool(insured),
            "homeowner": .bool(random.chance(0.55)), "credit_rating": creditRating(&random),
            "accidents_3y": int(random.weightedIndex([0.8, 0.15, 0.05])), "dui": .bool(random.chance(0.03)),
        ]
        if insured { fields["current_carrier"] = .string(random.pick(carriers)) }
        return fields
    }

    static func health(_ person: SimPerson, _ random: inout SimRandom) -> [String: JSONValue] {
        let income = Int(random.lognormal(median: 62_000, sigma: 0.55) / 1_000) * 1_000
        return [
            "age": int(person.age), "gender": .string(random.pick(["male", "female"])),
            "household_size": int(random.weightedIndex([0.3, 0.3, 0.2, 0.15, 0.05]) + 1), "household_income": int(income),
            "currently_insured": .bool(random.chance(0.6)),
            "coverage_type": .string(["individual", "family", "medicare", "short_term"][random.weightedIndex([0.45, 0.3, 0.15, 0.1])]),
            "tobacco_use": .bool(random.chance(0.15)), "pre_existing_conditions": .bool(random.chance(0.25)),
            "qualifying_life_event": .bool(random.chance(0.2)),
        ]
    }

    static func solar(_ person: SimPerson, _ random: inout SimRandom) -> [String: JSONValue] {
        let bill = min(1_500, Int(random.lognormal(median: 140, sigma: 0.45)))
        return [
            "homeowner": .bool(random.chance(0.85)), "monthly_electric_bill": int(bill),
            "utility_provider": .string(random.pick(utilities)),
            "roof_shade": .string(["none", "some", "heavy"][random.weightedIndex([0.55, 0.35, 0.1])]),
            "property_type": .string(properties[random.weightedIndex([0.75, 0.08, 0.1, 0.04, 0.03])]),
            "credit_rating": creditRating(&random), "age": int(person.age),
        ]
    }

    static func mortgage(_ person: SimPerson, _ random: inout SimRandom) -> [String: JSONValue] {
        let value = Int(random.lognormal(median: 380_000, sigma: 0.5) / 1_000) * 1_000
        return [
            "loan_purpose": .string(random.pick(["purchase", "refinance", "cash_out", "heloc"])),
            "property_value": int(value), "loan_amount": int(value * random.int(50...90) / 100),
            "property_type": .string(properties[random.weightedIndex([0.7, 0.12, 0.1, 0.05, 0.03])]),
            "occupancy": .string(random.pick(["primary", "primary", "secondary", "investment"])),
            "credit_rating": creditRating(&random), "military_veteran": .bool(random.chance(0.08)),
            "bankruptcy_7y": .bool(random.chance(0.04)),
            "employment_status": .string(random.pick(["employed", "employed", "self_employed", "retired"])),
            "age": int(person.age),
        ]
    }
}
