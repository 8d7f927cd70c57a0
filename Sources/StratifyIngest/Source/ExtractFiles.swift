import StratifyCore

/// Finds each table's file in an extract folder: `X.csv` or `X.csv.gz`, never both.
public struct ExtractFiles: Sendable {
    public struct Located: Sendable {
        public let table: ExtractTable
        public let path: String
        public let gzip: Bool
    }

    public let directory: String
    public let files: [ExtractTable: Located]

    public init(directory: String) throws(StratifyError) {
        guard FileSystem.isDirectory(directory) else {
            throw StratifyError(.inputData, "extract folder '\(directory)' does not exist or is not a folder",
                                help: "pass the folder that holds patients.csv and clinical_events.csv")
        }
        var files: [ExtractTable: Located] = [:]
        for table in ExtractTable.allCases {
            let plain = "\(directory)/\(table.rawValue).csv"
            let gz = plain + ".gz"
            let hasPlain = FileSystem.exists(plain), hasGz = FileSystem.exists(gz)
            if hasPlain && hasGz {
                throw StratifyError(.inputData, "both '\(plain)' and '\(gz)' exist; which one to read is ambiguous",
                                    help: "remove one of the two files")
            }
            if hasPlain { files[table] = Located(table: table, path: plain, gzip: false) }
            else if hasGz { files[table] = Located(table: table, path: gz, gzip: true) }
            else if table.required {
                throw StratifyError(.inputData, "required file '\(plain)' (or '\(table.rawValue).csv.gz') is missing",
                                    help: "an extract folder must hold patients.csv and clinical_events.csv")
            }
        }
        self.directory = directory
        self.files = files
    }
}
