// swift-tools-version:6.0
import PackageDescription

/// System libraries come from Debian packages that `scripts/setup.sh` installs.
func systemLibrary(_ name: String, apt: String) -> Target {
    .systemLibrary(name: name, providers: [.apt([apt])])
}

/// Optimizations for the numeric targets (the root package may use unsafe flags).
let fastMath: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "Leukemia",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "leukemia", targets: ["leukemia"]),
        .library(name: "LeukemiaKit", targets: ["LeukemiaKit"]),
        .library(name: "Tensors", targets: ["Tensors"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        systemLibrary("CTurboJPEG", apt: "libturbojpeg0-dev"),
        systemLibrary("CPNG", apt: "libpng-dev"),
        systemLibrary("CLibSVM", apt: "libsvm-dev"),
        systemLibrary("CXGBoost", apt: "libxgboost-dev"),
        systemLibrary("CDNNL", apt: "libdnnl-dev"),
        systemLibrary("CZlib", apt: "zlib1g-dev"),

        .target(name: "Randomness"),
        .target(name: "Imaging", dependencies: ["CTurboJPEG", "CPNG"], swiftSettings: fastMath),
        .target(name: "ClassicML", dependencies: ["Imaging", "CLibSVM", "CXGBoost", "Randomness"], swiftSettings: fastMath),
        .target(name: "WeightFiles", dependencies: ["CZlib"]),
        .target(name: "Tensors", dependencies: ["CDNNL", "Randomness"], swiftSettings: fastMath),
        .target(name: "NeuralNetworks", dependencies: ["Tensors", "Randomness", "WeightFiles"], swiftSettings: fastMath),
        .target(name: "ModelZoo", dependencies: ["NeuralNetworks", "Tensors", "WeightFiles", "Imaging", "Randomness"], swiftSettings: fastMath),
        .target(name: "LeukemiaKit", dependencies: ["Imaging", "ClassicML", "Randomness", "Tensors", "WeightFiles", "NeuralNetworks", "ModelZoo"]),
        .executableTarget(name: "leukemia", dependencies: [
            "LeukemiaKit", "ModelZoo",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "BenchmarkSupport"),
        .executableTarget(name: "engine-benchmark", dependencies: ["BenchmarkSupport", "Tensors", "NeuralNetworks"], swiftSettings: fastMath),
        .executableTarget(name: "block-benchmark", dependencies: ["BenchmarkSupport", "ModelZoo", "NeuralNetworks", "Tensors"],
                          swiftSettings: fastMath),
        .executableTarget(name: "model-benchmark", dependencies: ["BenchmarkSupport", "ModelZoo", "NeuralNetworks", "Tensors"],
                          swiftSettings: fastMath),
        .executableTarget(name: "classicml-benchmark", dependencies: ["ClassicML", "Randomness"], swiftSettings: fastMath),
        .executableTarget(name: "training-benchmark", dependencies: [
            "BenchmarkSupport", "LeukemiaKit", "ModelZoo", "NeuralNetworks", "Randomness", "Tensors",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: fastMath),

        // Shared test helpers: closeness assertions, temporary folders, fixtures, synthetic data
        // (TestSupport stays free of the tensor engine; NetworkTestSupport adds tensors and models).
        .target(name: "TestSupport", dependencies: ["Imaging", "ClassicML", "Randomness"], path: "Tests/TestSupport"),
        .target(name: "NetworkTestSupport", dependencies: ["TestSupport", "Tensors", "NeuralNetworks", "ModelZoo", "Randomness"],
                path: "Tests/NetworkTestSupport"),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"]),
        .testTarget(name: "ClassicMLTests", dependencies: ["ClassicML", "TestSupport"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "WeightFilesTests", dependencies: ["WeightFiles", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "TestSupport", "NetworkTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ModelZooTests", dependencies: ["ModelZoo", "TestSupport", "NetworkTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "LeukemiaKitTests", dependencies: ["LeukemiaKit", "TestSupport", "NetworkTestSupport", "WeightFiles", "ModelZoo"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "CommandLineTests", dependencies: ["LeukemiaKit", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
