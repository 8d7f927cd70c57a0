extension String {
    /// The same text in storage of its own. Copying a String shares its storage and counts
    /// references to it with atomic operations; when worker threads copy the same long strings
    /// for every row they write (practice names, labels), those operations on one shared count
    /// make the cores wait on each other. A thread that takes its own copies once avoids that.
    /// Strings of up to 15 UTF-8 bytes are stored inline and have no count to share.
    public var unshared: String { String(decoding: Array(utf8), as: UTF8.self) }
}
