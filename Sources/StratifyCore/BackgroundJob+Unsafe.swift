import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Pointer code: the job object crosses pthread_create as an opaque pointer, retained once by
// `start` and released by the thread's entry function (or by `start` when no thread was made).

/// Runs a throwing job on its own thread; `wait()` returns its result.
///
/// A dedicated pthread, not a Dispatch global-queue block: the job itself calls
/// `concurrentPerform`, and started from a global-queue worker that ran with less parallelism
/// (ingest got slower, not faster; BENCHMARKS.md).
public final class BackgroundJob<T>: @unchecked Sendable {
    // Written once by the job before `done` is signalled, read once after: the semaphore orders them.
    private var result: Result<T, StratifyError>?
    private let done = DispatchSemaphore(value: 0)
    private let work: () throws(StratifyError) -> T
    private var thread = pthread_t()

    public init(_ work: @escaping () throws(StratifyError) -> T) {
        self.work = work
    }

    /// Starts the job (separate from `init`, which the concurrency checker of Swift 6.3 crashed on
    /// when it also created the thread).
    public func start() {
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, backgroundJobEntry, context)
        if rc != 0 {
            // No thread to be had: do the work here, synchronously.
            Unmanaged<AnyObject>.fromOpaque(context).release()
            run()
        } else {
            pthread_detach(thread)
        }
    }

    func run() {
        do throws(StratifyError) { result = .success(try work()) } catch { result = .failure(error) }
        done.signal()
    }

    public func wait() -> Result<T, StratifyError> {
        done.wait()
        return result!
    }
}

/// Type-erased so the C entry point needs no generic context.
protocol RunnableJob: AnyObject { func run() }
extension BackgroundJob: RunnableJob {}

private func backgroundJobEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let job = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue() as! RunnableJob
    job.run()
    return nil
}
