import StratifyCore

/// Plain words for the coded values a cohort row carries, read from a labels file
/// (`pipelines/cohort-labels.json`, docs/cohort-files.md) so that wording changes with the rules
/// and the audience without a rebuild. It makes a row's `details` cell: `efi_category=severe`
/// reads "severe frailty (eFI 0.69)"; `smi_bmi=false, smi_lipids=false` reads "missing: BMI, lipids".
///
///     {
///       "values": { "efi_category": { "severe": "severe frailty (eFI {efi})" } },
///       "lists": [ { "prefix": "missing: ", "when": "false",
///                    "fields": { "smi_bmi": "BMI", "smi_lipids": "lipids" } } ]
///     }
///
/// Only a cohort's own `key_values` are described, so a row never says more than its columns do.
public struct CohortLabels: Sendable {
    /// field → value as written in the cohort file → wording; `{field}` is replaced by that
    /// field's value for the row (any rule-set value, attribute or score field).
    public var values: [(field: String, labels: [(value: String, text: String)])]
    public var lists: [List]

    /// Fields whose value equals `when` are named together after `prefix`, in the file's order.
    public struct List: Sendable {
        public var prefix: String
        public var when: String
        public var fields: [(field: String, label: String)]

        public init(prefix: String, when: String, fields: [(field: String, label: String)]) {
            self.prefix = prefix
            self.when = when
            self.fields = fields
        }
    }

    public static let none = CohortLabels(values: [], lists: [])

    public init(values: [(field: String, labels: [(value: String, text: String)])], lists: [List]) {
        self.values = values
        self.lists = lists
    }

    /// Reads a labels file; errors name the file and the JSON path.
    public init(path: String) throws(StratifyError) {
        guard FileSystem.exists(path) else {
            throw StratifyError(.usage, "labels file '\(path)' does not exist",
                                help: "the shipped one is pipelines/cohort-labels.json; see docs/cohort-files.md")
        }
        try self.init(json: try FileSystem.readAll(path), path: path)
    }

    public init(json bytes: [UInt8], path: String) throws(StratifyError) {
        func fail(_ at: String, _ message: String) -> StratifyError {
            StratifyError(.usage, "\(path), \(at): \(message)", help: "see docs/cohort-files.md, \"Details\"")
        }
        let root: JSON
        do throws(JSON.ParseError) { root = try JSON.parse(bytes, maxDepth: 8) } catch {
            throw StratifyError(.usage, "\(path), \(error.location): not valid JSON: \(error.message)",
                                help: "check brackets, commas and quotes near that place")
        }
        guard case .object(let top) = root else { throw fail("$", "expected an object { ... }") }
        var values: [(field: String, labels: [(value: String, text: String)])] = []
        var lists: [List] = []
        for (key, item) in top {
            switch key {
            case "about": continue
            case "values":
                guard case .object(let fields) = item else { throw fail("$.values", "expected an object of fields") }
                for (field, byValue) in fields {
                    guard case .object(let pairs) = byValue else { throw fail("$.values.\(field)", "expected an object of value: wording") }
                    var labels: [(value: String, text: String)] = []
                    for (value, text) in pairs {
                        guard case .string(let t) = text else { throw fail("$.values.\(field).\(value)", "expected wording in quotes") }
                        labels.append((value, t))
                    }
                    values.append((field, labels))
                }
            case "lists":
                guard case .array(let items) = item else { throw fail("$.lists", "expected a list [ ... ]") }
                for (k, l) in items.enumerated() {
                    let at = "$.lists[\(k)]"
                    guard case .string(let prefix)? = l["prefix"], case .string(let when)? = l["when"],
                          case .object(let fields)? = l["fields"] else {
                        throw fail(at, "expected \"prefix\", \"when\" (strings) and \"fields\" (an object of field: wording)")
                    }
                    var named: [(field: String, label: String)] = []
                    for (field, label) in fields {
                        guard case .string(let s) = label else { throw fail("\(at).fields.\(field)", "expected wording in quotes") }
                        named.append((field, s))
                    }
                    lists.append(List(prefix: prefix, when: when, fields: named))
                }
            default:
                throw fail("$.\(key)", "unknown setting; known settings are about, lists, values")
            }
        }
        self.init(values: values, lists: lists)
    }

    /// The same labels with their own copies of every string (see `CohortCSV.Prepared.init`).
    public var unshared: CohortLabels {
        CohortLabels(values: values.map { v in (v.field.unshared, v.labels.map { ($0.value.unshared, $0.text.unshared) }) },
                     lists: lists.map { l in
                         List(prefix: l.prefix.unshared, when: l.when.unshared, fields: l.fields.map { ($0.field.unshared, $0.label.unshared) })
                     })
    }

    /// Every field the labels read, with where: for checking against the rule set at pipeline load.
    public var fieldReferences: [(field: String, at: String)] {
        var out: [(String, String)] = []
        for v in values {
            out.append((v.field, "$.values.\(v.field)"))
            for l in v.labels {
                for f in CohortLabels.placeholders(l.text) { out.append((f, "$.values.\(v.field).\(l.value)")) }
            }
        }
        for (k, l) in lists.enumerated() {
            for f in l.fields { out.append((f.field, "$.lists[\(k)].fields.\(f.field)")) }
        }
        return out
    }

    /// The `details` cell: wording for each key value that has some, then each list that names
    /// any key value, joined with "; " and without repeating a phrase (`efi_category=severe` and
    /// `priority_reason=efi_category=severe` say the same thing). `value` gives a field's text
    /// for the row, "" when unknown.
    public func details(keyValues: [String], value: (String) -> String) -> String {
        var parts: [String] = []
        for field in keyValues {
            guard let labels = values.first(where: { $0.field == field })?.labels else { continue }
            let v = value(field)
            guard let template = labels.first(where: { $0.value == v })?.text else { continue }
            let text = CohortLabels.fill(template, value)
            if !text.isEmpty && !parts.contains(text) { parts.append(text) }
        }
        for list in lists {
            let named = list.fields.filter { keyValues.contains($0.field) && value($0.field) == list.when }.map(\.label)
            if !named.isEmpty { parts.append(list.prefix + named.joined(separator: ", ")) }
        }
        return parts.joined(separator: "; ")
    }

    /// `{name}` replaced by the field's value ("unknown" when it has none).
    static func fill(_ template: String, _ value: (String) -> String) -> String {
        var out = "", rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let v = value(String(rest[rest.index(after: open)..<close]))
            out += v.isEmpty ? "unknown" : v
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    static func placeholders(_ template: String) -> [String] {
        var out: [String] = [], rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }
}
