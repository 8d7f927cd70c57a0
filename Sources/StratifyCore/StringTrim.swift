extension String {
    /// The string without leading and trailing characters from `set` (spaces by default), for
    /// reference data and definitions; never used on the hot path.
    public func trimmed(_ set: String = " ") -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
