/// The buffering both streaming hashes need: input arrives in arbitrary pieces, the hash consumes
/// fixed-size blocks. Whole blocks are handed straight from the input; a partial block waits in
/// `pending` until the next piece completes it.
struct BlockFeeder: Sendable {
    let size: Int
    private(set) var pending: [UInt8] = []

    init(size: Int) {
        self.size = size
        pending.reserveCapacity(size)
    }

    mutating func feed(_ data: UnsafeRawBufferPointer, _ block: (UnsafeRawPointer) -> Void) {
        var offset = 0
        if !pending.isEmpty {
            let take = min(size - pending.count, data.count)
            pending.append(contentsOf: data[0..<take])
            offset = take
            if pending.count == size {
                pending.withUnsafeBytes { block($0.baseAddress!) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        guard let base = data.baseAddress else { return }
        while data.count - offset >= size {
            block(base + offset)
            offset += size
        }
        if offset < data.count { pending.append(contentsOf: data[offset...]) }
    }
}
