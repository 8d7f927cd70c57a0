@_exported import StratifyCore
import CFuzzDriver
#if canImport(Glibc)
import Glibc
#endif

/// Shared by the harnesses: the driver, where the repository is, and how a property fails.
public enum Fuzz {
    /// One fuzz test: libFuzzer calls it with each input; it returns 0 (other values are reserved).
    public typealias Test = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer with the process's arguments (-runs=, -max_total_time=, corpus folders...).
    public static func run(_ test: Test) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, test))
    }

    /// The input as a buffer (libFuzzer passes a null pointer for the empty input).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: size == 0 ? nil : data, count: size)
    }

    /// The repository root: `$STRATIFY_ROOT` (set by scripts/fuzz), else the folder this file was
    /// compiled in, four levels up from Fuzz/Sources/FuzzSupport/FuzzSupport.swift.
    public static let root: String = {
        if let env = getenv("STRATIFY_ROOT") { return String(cString: env) }
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }()

    /// A property the harness asserts. A failure must crash so that libFuzzer saves the input.
    /// Inputs are synthetic, so messages may show them.
    public static func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                             file: StaticString = #fileID, line: UInt = #line) {
        if !condition() { fatalError("fuzz property failed: \(message())", file: file, line: line) }
    }
}
