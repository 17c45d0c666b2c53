import XCTest

/// Asserts that `body` throws an error equal to `expected` whose description contains `fragments`.
public func assertThrows<E: Error & Equatable & CustomStringConvertible>(
    _ expected: E, mentioning fragments: [String] = [], file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> Void
) {
    do {
        try body()
        XCTFail("expected \(expected), nothing was thrown", file: file, line: line)
    } catch let error as E {
        XCTAssertEqual(error, expected, file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment),
                          "\"\(error.description)\" does not mention \"\(fragment)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected \(expected), got \(error)", file: file, line: line)
    }
}

/// Asserts that `body` throws an error of type `E` and returns it (nil after a failure).
@discardableResult
public func assertThrows<E: Error, T>(_ type: E.Type, _ body: @autoclosure () throws -> T,
                                      file: StaticString = #filePath, line: UInt = #line) -> E? {
    do {
        _ = try body()
        XCTFail("expected a \(E.self)", file: file, line: line)
    } catch let error as E {
        return error
    } catch {
        XCTFail("expected a \(E.self), got \(error)", file: file, line: line)
    }
    return nil
}
