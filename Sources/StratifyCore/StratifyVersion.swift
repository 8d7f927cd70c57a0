/// The version written into every manifest.
public enum StratifyVersion {
    public static let current = "0.1.0"
}
