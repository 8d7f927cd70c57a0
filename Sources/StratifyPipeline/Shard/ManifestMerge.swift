import StratifyCore

/// Combines the manifests of a sharded run's shards into the manifest one run over the whole
/// population would have written (docs/sharding.md, "Manifest"). Each field follows one rule:
/// counts are summed; settings (as-of date, rule set and its checksum, code lists, suppression)
/// must agree, and a shard that differs is refused, naming the field; per-file details (paths,
/// sizes' checksums) stay in the shards' own manifests, which the merged one lists.
enum ManifestMerge {
    enum Rule { case sum, agree, union, drop, recomputed }

    /// Paths are matched segment by segment; `*` matches any one segment.
    static let summed: [[String]] = [
        ["tables", "*", "rows_read"], ["tables", "*", "rows_accepted"], ["tables", "*", "rows_quarantined"],
        ["tables", "*", "bytes"], ["tables", "*", "quarantined_by_reason", "*"],
        ["tables", "*", "quarantine_rows_left_out"], ["tables", "*", "unknown_columns_not_shown"],
        ["data_quality", "*"],
        ["flags", "population"], ["flags", "outside_population", "*"], ["flags", "data_quality", "*"],
        ["flags", "true_counts_in_population", "*"],
        ["scores", "efi_category", "*"], ["scores", "priority", "*"], ["scores", "segment", "*"], ["scores", "efi2_category", "*"],
    ]
    /// Per shard (in the shard's own manifest) or recomputed after the merge.
    static let dropped: [[String]] = [
        ["extract_directory"], ["timings"], ["shard"], ["run_id"],
        ["tables", "*", "file"], ["tables", "*", "gzip"], ["tables", "*", "checksum_algorithm"], ["tables", "*", "checksum"],
    ]
    static let unions: [[String]] = [["warnings"], ["tables", "*", "unknown_columns"]]
    /// Kept in place (the first shard's value) and replaced from the merged data afterwards.
    static let recomputed: [[String]] = [
        ["tables", "*", "quarantined_share"], ["tables", "*", "conservation_holds"], ["prevalence", "rows"], ["cohorts"],
    ]

    static func rule(_ path: [String]) -> Rule {
        func matches(_ pattern: [String]) -> Bool {
            pattern.count == path.count && zip(pattern, path).allSatisfy { $0 == "*" || $0 == $1 }
        }
        if dropped.contains(where: matches) { return .drop }
        // Rule-set quality counts (`quality` statements) are summed; their shares are recomputed.
        if path == ["flags", "data_quality", "rule_set"] { return .agree }
        if path.count == 4 && Array(path.prefix(3)) == ["flags", "data_quality", "rule_set"] {
            return path[3].hasSuffix("_share") ? .recomputed : .sum
        }
        if recomputed.contains(where: matches) { return .recomputed }
        // Time spent: the sum is the work the shards did together.
        if path.last == "seconds" || summed.contains(where: matches) { return .sum }
        if unions.contains(where: matches) { return .union }
        return .agree
    }

    /// A field on which shards disagree: the JSON path and the index of the odd shard.
    struct Conflict: Error {
        var path: String
        var shard: Int
        var value: String
        var expected: String
    }

    /// `values[k]` is shard k's manifest.
    static func merge(_ values: [JSON]) throws(Conflict) -> JSON {
        try merge(values.enumerated().map { ($0.offset, $0.element) }, path: []) ?? .object([])
    }

    private static func merge(_ values: [(shard: Int, value: JSON)], path: [String]) throws(Conflict) -> JSON? {
        let r = rule(path)
        if r == .drop { return nil }
        let objects = values.compactMap { v -> [(String, JSON)]? in if case .object(let p) = v.value { return p } else { return nil } }
        if objects.count == values.count, r == .agree {
            var keys: [String] = []
            for o in objects { for (k, _) in o where !keys.contains(k) { keys.append(k) } }
            var pairs: [(String, JSON)] = []
            for k in keys {
                let present = values.compactMap { v in v.value[k].map { (v.shard, $0) } }
                if let merged = try merge(present, path: path + [k]) { pairs.append((k, merged)) }
            }
            return .object(pairs)
        }
        switch r {
        case .recomputed:
            return values[0].value
        case .sum:
            var ints = 0, doubles = 0.0, allInts = true
            for v in values {
                switch v.value {
                case .int(let n): ints += n; doubles += Double(n)
                case .double(let d): allInts = false; doubles += d
                default: return try agree(values, path)
                }
            }
            return allInts ? .int(ints) : .double(doubles)
        case .union:
            var seen: [String] = [], items: [JSON] = []
            for v in values {
                guard case .array(let a) = v.value else { return try agree(values, path) }
                for item in a where !seen.contains(item.render()) { seen.append(item.render()); items.append(item) }
            }
            return .array(items)
        default:
            return try agree(values, path)
        }
    }

    private static func agree(_ values: [(shard: Int, value: JSON)], _ path: [String]) throws(Conflict) -> JSON {
        let first = values[0].value.render()
        for v in values.dropFirst() where v.value.render() != first {
            func short(_ s: String) -> String { s.count > 80 ? String(s.prefix(77)) + "..." : s }
            throw Conflict(path: "$." + path.joined(separator: "."), shard: v.shard, value: short(v.value.render()),
                           expected: short(first))
        }
        return values[0].value
    }

    /// Recomputes each rule-set quality share (`NAME_share` = NAME / NAME_denominator) from the
    /// summed counts, as FlagsManifest.quality computes it for one run.
    static func recomputeRuleSetShares(_ manifest: JSON) -> JSON {
        guard case .object(let top) = manifest, case .object(let flags)? = manifest["flags"],
              case .object(let quality)? = manifest["flags"]?["data_quality"],
              case .object(var rules)? = manifest["flags"]?["data_quality"]?["rule_set"] else { return manifest }
        for k in rules.indices where rules[k].0.hasSuffix("_share") {
            let base = String(rules[k].0.dropLast("_share".count))
            if case .int(let n)? = rules.first(where: { $0.0 == base })?.1,
               case .int(let d)? = rules.first(where: { $0.0 == base + "_denominator" })?.1 {
                rules[k].1 = d > 0 ? .double(Double(n) / Double(d)) : .null
            }
        }
        let newQuality: [(String, JSON)] = quality.map { $0.0 == "rule_set" ? ($0.0, .object(rules)) : $0 }
        let newFlags: [(String, JSON)] = flags.map { $0.0 == "data_quality" ? ($0.0, .object(newQuality)) : $0 }
        return .object(top.map { $0.0 == "flags" ? ($0.0, .object(newFlags)) : $0 })
    }

    /// Recomputes what derives from summed counts: each table's quarantined share and
    /// conservation check, as the ingest manifest computes them.
    static func recomputeTables(_ manifest: JSON) -> JSON {
        guard case .object(let top) = manifest, case .object(let tables)? = manifest["tables"] else { return manifest }
        let fixed: [(String, JSON)] = tables.map { name, t in
            guard case .object(var pairs) = t, case .int(let read)? = t["rows_read"], case .int(let accepted)? = t["rows_accepted"],
                  case .int(let quarantined)? = t["rows_quarantined"] else { return (name, t) }
            for k in pairs.indices {
                if pairs[k].0 == "quarantined_share" { pairs[k].1 = .double(read == 0 ? 0 : Double(quarantined) / Double(read)) }
                if pairs[k].0 == "conservation_holds" { pairs[k].1 = .bool(read == accepted + quarantined) }
            }
            return (name, .object(pairs))
        }
        return .object(top.map { $0.0 == "tables" ? ($0.0, .object(fixed)) : $0 })
    }
}
