import StratifyCore

#if canImport(Glibc)
import Glibc
#endif

/// Finds each table's file in an extract folder: `X.csv` or `X.csv.gz`, never both, and checks
/// that each is a regular file (without reading or blocking). A pipeline constructs this before it
/// takes the output root's lock, so a FIFO or device in the extract fails the run at once.
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
            let hasPlain = ExtractFiles.present(plain), hasGz = ExtractFiles.present(gz)
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
        for f in files.values.sorted(by: { $0.path < $1.path }) { try FileByteSource.checkRegular(f.path) }
        self.directory = directory
        self.files = files
    }

    /// Present as a name, even a broken link (which then fails to open, rather than reading as
    /// an absent optional table).
    private static func present(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }
}
