import Synchronization

/// Bytes that were checked against a checksum, kept so that what is loaded is exactly what was
/// checked. Reading a file once to hash it and again to parse it let a swap between the two reads
/// load an unchecked file (an empty `hyp_cod.csv` published runs with an empty register). The
/// reference manifest's check keeps each file's bytes here; loaders read through `read`, which
/// hands back the checked bytes, and only files that no checksum covers come from disk.
public enum VerifiedFiles {
    private static let store = Mutex<[String: [UInt8]]>([:])

    public static func keep(_ bytes: [UInt8], for path: String) {
        let key = normalised(path)
        store.withLock { $0[key] = bytes }
    }

    public static func read(_ path: String) throws(StratifyError) -> [UInt8] {
        let key = normalised(path)
        if let bytes = store.withLock({ $0[key] }) { return bytes }
        return try FileSystem.readAll(path)
    }

    /// `a//b` and `a/./b` name the same file as `a/b`: callers join paths differently.
    static func normalised(_ path: String) -> String {
        var parts: [Substring] = []
        for p in path.split(separator: "/", omittingEmptySubsequences: true) where p != "." { parts.append(p) }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}
