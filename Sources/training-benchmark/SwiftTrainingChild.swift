import BenchmarkSupport
import Foundation
import LeukemiaKit
import ModelZoo
import NeuralNetworks
import Randomness
import Tensors
import Datasets

/// The Swift side, run in a child process: the network, trainable parameters and Adam optimizer
/// as `leukemia train` sets them up (without pretrained weights), then `NetworkTrainingStep`, the
/// step the trainer takes, on one seeded batch of random images and labels, in `precision`.
/// With `profile`, one more step after the timed ones is profiled (`EpochProfile`, what
/// `train --profile` prints for an epoch) and its table goes to standard error.
enum SwiftTrainingChild {
    static func measure(_ model: NetworkDescription, batchSize: Int, iterations: Int, seed: UInt64,
                        precision: ComputePrecision, profile: Bool) throws -> ChildReport {
        let options = try model.trainingOptions(batchSize: batchSize, seed: seed)
        let network = try options.blueprint.makeNetwork(seed: options.seed)
        let trainable = try options.policy.apply(to: network)
        let optimizer = try Adam(parameters: trainable, learningRate: options.learningRate)
        let step = NetworkTrainingStep(network: network)
        var generator = SeededGenerator(seed: seed).derived(1)
        let images = Tensor.randomNormal([batchSize, model.inputSize, model.inputSize, 3], generator: &generator)
        let labels = (0..<batchSize).map { _ in Int(generator.next() % UInt64(ClassSet.acuteLymphoblasticLeukemia.count)) }
        step.enterTrainingMode()
        return ComputePrecision.$current.withValue(precision) {
            let report = ChildReport.measure(iterations: iterations) {
                step(images, labels: labels, optimizer: optimizer, classWeights: nil)
            }
            if profile {
                let started = EpochProfile.begin()
                step(images, labels: labels, optimizer: optimizer, classWeights: nil)
                let lines = started.end(dataWait: nil).lines(title: "one Swift step of \(model.name) \(precision.rawValue), batch \(batchSize)")
                FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            }
            return report
        }
    }
}
