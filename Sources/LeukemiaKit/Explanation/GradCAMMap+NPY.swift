import Foundation
import ToolkitSupport

extension GradCAMMap {
    /// `values` as a NumPy `.npy` file: little-endian float32, shape `(height, width)`, C order;
    /// `numpy.load` gives the [0, 1] map exactly (no quantization).
    public var npyData: Data { NPYFile.float32(values, shape: [height, width]) }
}
