import Foundation
import NeuralNetworks
import Tensors
import TestSupport
import WeightFiles
import XCTest

/// The files scripts/fixtures/model_zoo.py wrote (see its docstring).
let fixtures = FixtureFolder(.module)

extension FixtureFolder {
    /// The PyTorch state dict of a reduced model.
    func stateDict(_ name: String) throws -> StateDict {
        try SafeTensors.read(from: url("\(name).safetensors"))
    }

    /// The expected outputs of a reduced model: "logits", "features", "map.<stage>".
    func expectedOutputs(_ name: String) throws -> [String: Tensor] {
        try SafeTensors.read(from: url("\(name).io.safetensors")).mapValues { try Tensor($0) }
    }

    /// The names of the stages PyTorch's feature maps were captured at (metadata "stages").
    func stageNames(_ name: String) throws -> [String] {
        let metadata = try SafeTensors.readContents(from: url("\(name).io.safetensors")).metadata
        return try JSONDecoder().decode([String].self, from: Data(XCTUnwrap(metadata["stages"]).utf8))
    }

    /// The NHWC input `[2, 64, 64, 3]` every reduced model was run on.
    func input() throws -> Tensor {
        try Tensor(XCTUnwrap(SafeTensors.read(from: url("input.safetensors"))["input"]))
    }

    /// `[[key, shape], ...]` of each full-size reference state dict, in PyTorch's order.
    func fullSizeKeys() throws -> [String: [(key: String, shape: [Int])]] {
        let data = try Data(contentsOf: url("full_size_keys.json"))
        let decoded = try JSONDecoder().decode([String: [KeyAndShape]].self, from: data)
        return decoded.mapValues { $0.map { ($0.key, $0.shape) } }
    }

    /// One `[key, shape]` pair of the JSON.
    private struct KeyAndShape: Decodable {
        let key: String
        let shape: [Int]

        init(from decoder: Decoder) throws {
            var container = try decoder.unkeyedContainer()
            key = try container.decode(String.self)
            shape = try container.decode([Int].self)
        }
    }
}

extension Layer {
    /// `[key, shape]` in PyTorch's `state_dict()` order: each module's parameters, then its buffers,
    /// then its children's, depth first.
    func orderedStateDictShapes() -> [(key: String, shape: [Int])] {
        namedLayers().flatMap { name, layer -> [(key: String, shape: [Int])] in
            let prefix = name.isEmpty ? "" : name + "."
            return layer.localParameters.map { (prefix + $0.name, $0.parameter.value.shape) }
                + layer.localBuffers.map { (prefix + $0.name, $0.buffer.value.shape) }
        }
    }
}
