import Foundation
import ToolkitSupport

extension CostMatrix {
    /// Loads the costs of the classes `classNames` (the run's class order) from a JSON or CSV
    /// file, told apart by content: JSON when the first non-blank character is `{` or `[`, CSV
    /// otherwise. Rows are true classes, columns predicted classes.
    ///
    /// Layouts:
    /// - JSON keyed by class names: `{"Benign": {"Benign": 0, "Early": 10, ...}, ...}`, the outer
    ///   keys naming the true class, the inner ones the predicted class;
    /// - CSV with a header row: its first cell is a free label (empty, `true\predicted`, ...), the
    ///   others name the predicted classes; every further row starts with its true class's name,
    ///   then one cost per header class. Cells are separated by commas (none inside a cell) and
    ///   may be wrapped in double quotes; blank lines are skipped;
    /// - JSON in class order: a bare array of rows `[[0, 10, ...], ...]` or `{"matrix": [[...], ...]}`.
    ///
    /// In the named layouts, rows and columns may come in any order, and names match `classNames`
    /// ignoring case and surrounding blanks (so names that differ only in case cannot be told
    /// apart there). The result is in `classNames` order. Non-finite costs, written "NaN" or
    /// "Infinity" in JSON, `nan` or `inf` in CSV, are refused as such.
    /// - Parameter classNames: the run's classes in index order; their count k fixes the size.
    /// - Throws: `CostMatrixError` naming the file and the fault: unreadable; neither JSON nor a CSV
    ///   table; not a matrix; wrong shape; a CSV row of the wrong length or a cell that is not a
    ///   number; missing or unknown classes; a class given twice; a non-zero diagonal entry; a
    ///   negative, non-finite or too large cost.
    public static func load(from url: URL, classNames: [String]) throws -> CostMatrix {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CostMatrixError.unreadable(path: path, reason: FileReadFailure.reason(url, error))
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw CostMatrixError.notCSV(path: path, reason: "it is not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }  // the byte-order mark spreadsheets write
        let values: [[Double]]
        switch text.first(where: { !$0.isWhitespace }) {
        case nil:
            throw CostMatrixError.notCSV(path: path, reason: "it is empty")
        case "{"?, "["?:
            values = try jsonCosts(Data(text.utf8), classNames: classNames, path: path)
        default:
            values = try csvCosts(text, classNames: classNames, path: path)
        }
        try checkEntries(values, classNames: classNames, source: path)
        return CostMatrix(checked: values)
    }

    /// The costs of a JSON file in `classNames` order: from a bare array of rows, `{"matrix": ...}`,
    /// or an object keyed by class names.
    private static func jsonCosts(_ data: Data, classNames: [String], path: String) throws -> [[Double]] {
        guard let json = try? JSONSerialization.jsonObject(with: data) else {
            throw CostMatrixError.notJSON(path: path)
        }
        let decoder = JSONDecoder()
        // Lets "NaN" and "Infinity" through decoding so that they are reported as non-finite.
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
            do {
                return try decoder.decode(type, from: data)
            } catch {
                throw CostMatrixError.notAMatrix(path: path, reason: decodingFailureSummary(error))
            }
        }
        struct Wrapped: Decodable { let matrix: [[Double]] }
        let positional: [[Double]]
        if json is [Any] {
            positional = try decode([[Double]].self)
        } else if let object = json as? [String: Any], object["matrix"] is [Any] {
            positional = try decode(Wrapped.self).matrix
        } else {
            let named = try decode([String: [String: Double]].self)
            // The names in file order, a repeated one included (the dictionary keeps one of them).
            let rows = try JSONObjectKeys.twoLevels(data).map { trueClass, predicted in
                let columns = try classIndices(of: predicted, in: classNames, part: "the keys of row \(trueClass)",
                                               path: path)
                let costs = named[trueClass] ?? [:]
                return (name: trueClass, costs: placed(predicted.map { costs[$0] ?? 0 }, at: columns))
            }
            return try inClassOrder(rows, part: "its top-level keys", classNames: classNames, path: path)
        }
        let k = classNames.count
        guard positional.count == k, positional.allSatisfy({ $0.count == k }) else {
            throw CostMatrixError.wrongShape(path: path, found: shape(of: positional), expected: "\(k)x\(k)")
        }
        return positional
    }

    /// The costs of a CSV table with a header row, in `classNames` order.
    private static func csvCosts(_ text: String, classNames: [String], path: String) throws -> [[Double]] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (number: $0.offset + 1, cells: csvCells($0.element)) }
            .filter { !$0.cells.allSatisfy(\.isEmpty) }
        guard let header = lines.first, header.cells.count > 1 else {
            throw CostMatrixError.notCSV(path: path, reason: "its first line names no predicted classes after its"
                                         + " first cell (a CSV header row, cells separated by commas)")
        }
        let predicted = Array(header.cells.dropFirst())
        let columns = try classIndices(of: predicted, in: classNames, part: "its header row", path: path)
        let rows = try lines.dropFirst().map { line in
            let trueClass = line.cells[0]
            guard line.cells.count == header.cells.count else {
                throw CostMatrixError.csvRowLength(path: path, line: line.number, className: trueClass,
                                                   found: line.cells.count - 1, expected: predicted.count)
            }
            let costs = try zip(predicted, line.cells.dropFirst()).map { column, cell in
                guard let cost = Double(cell) else {
                    throw CostMatrixError.notANumber(path: path, line: line.number, row: trueClass, column: column,
                                                     text: cell)
                }
                return cost
            }
            return (name: trueClass, costs: placed(costs, at: columns))
        }
        return try inClassOrder(rows, part: "its first column", classNames: classNames, path: path)
    }

    /// The cells of one CSV line, blanks around them and one pair of enclosing double quotes removed.
    private static func csvCells(_ line: Substring) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false).map { cell in
            let text = cell.trimmingCharacters(in: .whitespaces)
            guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
            return String(text.dropFirst().dropLast())
        }
    }

    /// Named rows (each already in class order) put in `classNames` order.
    /// - Parameter part: where the file names its rows ("its first column"), for errors.
    private static func inClassOrder(_ rows: [(name: String, costs: [Double])], part: String, classNames: [String],
                                     path: String) throws -> [[Double]] {
        let order = try classIndices(of: rows.map(\.name), in: classNames, part: part, path: path)
        return placed(rows.map(\.costs), at: order)
    }

    /// The index in `classNames` of each of `names`, matched ignoring case and surrounding blanks.
    /// - Parameter part: where the file gives `names` ("its header row"), for errors.
    /// - Throws: `CostMatrixError.duplicateClass` for a class named twice, `.classMismatch` unless
    ///   `names` names every class of `classNames` and nothing else.
    private static func classIndices(of names: [String], in classNames: [String], part: String,
                                     path: String) throws -> [Int] {
        func key(_ name: String) -> String { name.trimmingCharacters(in: .whitespaces).lowercased() }
        let indexOfKey = Dictionary(classNames.enumerated().map { (key($0.element), $0.offset) },
                                    uniquingKeysWith: { first, _ in first })
        var indices: [Int] = [], unknown: [String] = []
        for name in names {
            guard let index = indexOfKey[key(name)] else {
                unknown.append(name)
                continue
            }
            guard !indices.contains(index) else {
                throw CostMatrixError.duplicateClass(path: path, className: classNames[index], part: part)
            }
            indices.append(index)
        }
        let missing = classNames.indices.filter { !indices.contains($0) }.map { classNames[$0] }
        guard missing.isEmpty, unknown.isEmpty else {
            throw CostMatrixError.classMismatch(path: path, part: part, missing: missing, unknown: unknown,
                                                expected: classNames)
        }
        return indices
    }

    /// `items` rearranged so that `items[n]` lands at position `positions[n]` (a permutation of
    /// `items.indices`).
    private static func placed<Item>(_ items: [Item], at positions: [Int]) -> [Item] {
        var result = items
        for (item, position) in zip(items, positions) { result[position] = item }
        return result
    }
}
