import Tensors
import TestSupport
import XCTest

/// Asserts that both tensors are present, have the same shape and match within `tolerance`.
public func assertClose(_ actual: Tensor?, _ expected: Tensor?, _ message: String, tolerance: Tolerance,
                        file: StaticString = #filePath, line: UInt = #line) {
    guard let actual, let expected else {
        return XCTFail("\(message): \(actual == nil ? "actual" : "expected") tensor is missing", file: file, line: line)
    }
    guard actual.shape == expected.shape else {
        return XCTFail("\(message): shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
    }
    assertClose(actual.scalars, expected.scalars.doubles, message, tolerance: tolerance, file: file, line: line)
}
