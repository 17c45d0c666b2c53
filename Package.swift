// swift-tools-version:6.0
import PackageDescription

/// System libraries come from Debian packages that `scripts/setup.sh` installs.
func systemLibrary(_ name: String, apt: String) -> Target {
    .systemLibrary(name: name, providers: [.apt([apt])])
}

/// Optimizations for the numeric targets (the root package may use unsafe flags).
let fastMath: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

/// oneDNN 3.2, the tensor engine's library: `scripts/setup.sh` unpacks Intel's PyPI wheels into this
/// folder of the package (`lib/libdnnl.so.3`, `include/oneapi/dnnl/`), not a Debian package.
let oneDNN = Context.packageDirectory + "/.dependencies/onednn-3.2"
/// Its headers for the clang importer, searched before the system's (so that Debian's libdnnl-dev 2.6,
/// if installed, is never seen): every target that imports `CDNNL` or `@testable import`s `Tensors`.
let oneDNNHeaders: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I" + oneDNN + "/include"])]
/// Its library, linked from the folder and loaded from it at run time by rpath (no LD_LIBRARY_PATH):
/// on `Tensors`, whence every executable and test bundle that links it inherits the flags.
let oneDNNLibrary: [LinkerSetting] = [.unsafeFlags(["-L" + oneDNN + "/lib", "-Xlinker", "-rpath", "-Xlinker", oneDNN + "/lib"])]

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
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
        // Serving (`leukemia serve`): the HTTP server, its metrics and its audit log.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
    ],
    targets: [
        systemLibrary("CTurboJPEG", apt: "libturbojpeg0-dev"),
        systemLibrary("CPNG", apt: "libpng-dev"),
        systemLibrary("CLibSVM", apt: "libsvm-dev"),
        systemLibrary("CXGBoost", apt: "libxgboost-dev"),
        // oneDNN's C API from `oneDNN` above (shim.h fails the build, naming scripts/setup.sh, without it).
        .systemLibrary(name: "CDNNL"),
        systemLibrary("CZlib", apt: "zlib1g-dev"),

        // Foundations: seeded randomness, and the toolkit's shared file and error conventions.
        .target(name: "Randomness"),
        .target(name: "ToolkitSupport"),
        .target(name: "Imaging", dependencies: ["CTurboJPEG", "CPNG"], swiftSettings: fastMath),
        .target(name: "ClassicML", dependencies: ["Imaging", "CLibSVM", "CXGBoost", "Randomness", "ToolkitSupport"],
                swiftSettings: fastMath),
        .target(name: "WeightFiles", dependencies: ["CZlib", "ToolkitSupport"]),
        .target(name: "Tensors", dependencies: ["CDNNL", "Randomness"], swiftSettings: fastMath + oneDNNHeaders,
                linkerSettings: oneDNNLibrary),
        .target(name: "NeuralNetworks", dependencies: ["Tensors", "Randomness", "WeightFiles"], swiftSettings: fastMath),
        .target(name: "ModelZoo", dependencies: ["NeuralNetworks", "Tensors", "WeightFiles", "Imaging", "Randomness"], swiftSettings: fastMath),

        // The application, one room per concern: data sets, evaluation, then training, inference
        // and weights in LeukemiaKit; the command line only parses, calls and prints.
        .target(name: "Datasets", dependencies: ["Imaging", "Randomness", "ToolkitSupport"]),
        .target(name: "Evaluation", dependencies: ["Datasets", "Randomness", "ToolkitSupport"]),
        // The self-contained HTML report page; only this target sees Plot's HTML DSL.
        .target(name: "Reporting", dependencies: ["Evaluation", .product(name: "Plot", package: "Plot")]),
        .target(name: "LeukemiaKit", dependencies: [
            "Datasets", "Evaluation", "ToolkitSupport", "Imaging", "ClassicML", "Randomness", "Tensors", "WeightFiles",
            "NeuralNetworks", "ModelZoo",
        ]),
        // `leukemia compare`: scores runs on the same images and writes the comparison report; it
        // sits above LeukemiaKit (scoring, Grad-CAM) and Reporting (the HTML page, Plot), so that
        // LeukemiaKit stays free of the HTML DSL.
        .target(name: "Comparison", dependencies: [
            "LeukemiaKit", "Reporting", "Evaluation", "Datasets", "Imaging", "ToolkitSupport",
        ]),
        // The web service and page (`leukemia serve`); only this target sees Hummingbird, GRDB and Prometheus.
        .target(name: "LeukemiaServer", dependencies: [
            "LeukemiaKit", "Datasets", "Evaluation", "Imaging", "ToolkitSupport", "Tensors",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "leukemia", dependencies: [
            "LeukemiaKit", "Comparison", "LeukemiaServer", "Datasets", "Evaluation", "Imaging", "ModelZoo", "Tensors",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "BenchmarkSupport", dependencies: ["ToolkitSupport"]),
        .executableTarget(name: "engine-benchmark", dependencies: ["BenchmarkSupport", "ToolkitSupport", "Tensors", "NeuralNetworks"], swiftSettings: fastMath),
        .executableTarget(name: "block-benchmark", dependencies: ["BenchmarkSupport", "ModelZoo", "NeuralNetworks", "Tensors"],
                          swiftSettings: fastMath),
        .executableTarget(name: "model-benchmark", dependencies: ["BenchmarkSupport", "ToolkitSupport", "Evaluation", "LeukemiaKit", "ModelZoo",
                                                                  "NeuralNetworks", "Tensors"],
                          swiftSettings: fastMath),
        .executableTarget(name: "serve-benchmark", dependencies: [
            "BenchmarkSupport", "ToolkitSupport", "LeukemiaServer", "LeukemiaKit", "Datasets", "Evaluation", "ModelZoo", "Imaging", "Randomness",
            "TestSupport",
        ]),
        .executableTarget(name: "classicml-benchmark", dependencies: ["ClassicML", "Randomness", "TestSupport"],
                          swiftSettings: fastMath),
        .executableTarget(name: "training-benchmark", dependencies: [
            "BenchmarkSupport", "LeukemiaKit", "Datasets", "Evaluation", "ModelZoo", "NeuralNetworks", "Randomness", "Tensors",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: fastMath),

        // Shared test helpers: closeness assertions, temporary folders, fixtures, synthetic data
        // (TestSupport stays free of the tensor engine; NetworkTestSupport adds tensors and models).
        .target(name: "TestSupport", dependencies: ["Imaging", "ClassicML", "Randomness"], path: "Tests/TestSupport"),
        .target(name: "NetworkTestSupport", dependencies: ["TestSupport", "Tensors", "NeuralNetworks", "ModelZoo", "Randomness"],
                path: "Tests/NetworkTestSupport"),
        // Browser tests: a W3C WebDriver client for headless Chromium (both installed by scripts/setup.sh).
        .target(name: "BrowserTestSupport", dependencies: ["Imaging", "TestSupport"], path: "Tests/BrowserTestSupport"),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport", "CTurboJPEG", "Randomness"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
        .testTarget(name: "ClassicMLTests", dependencies: ["ClassicML", "TestSupport"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"], resources: [.copy("Fixtures")],
                    swiftSettings: oneDNNHeaders),
        .testTarget(name: "WeightFilesTests", dependencies: ["WeightFiles", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "TestSupport", "NetworkTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ModelZooTests", dependencies: ["ModelZoo", "TestSupport", "NetworkTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "LeukemiaKitTests", dependencies: ["LeukemiaKit", "Datasets", "Evaluation", "ToolkitSupport", "TestSupport",
                                                             "NetworkTestSupport", "WeightFiles", "ModelZoo"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "Evaluation"]),
        .testTarget(name: "CommandLineTests", dependencies: ["LeukemiaKit", "Datasets", "Evaluation", "Imaging", "TestSupport", "Tensors"]),
        .testTarget(name: "BrowserTests", dependencies: ["BrowserTestSupport", "Imaging", "TestSupport", "ModelZoo"]),
        .testTarget(name: "LeukemiaServerTests", dependencies: ["LeukemiaServer", "LeukemiaKit", "Datasets", "ModelZoo", "Imaging",
                                                                "Randomness", "ToolkitSupport", "TestSupport",
                                                                "BrowserTestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)

/// Every Swift target is compiled for Haswell's instruction set (AVX2, FMA, BMI2: Intel since 2013,
/// AMD since Excavator and every Zen), the baseline of the machines the toolkit runs on (AMD Zen 3
/// and Zen 4); without it Swift emits SSE2 only, and the engine's own kernels (`SIMD16<Float>`: the
/// fused batch norm, the Winograd transforms, the depthwise weight gradient) run on 128-bit vectors.
/// AMD EPYC Zen 4, 2026-12-06, baseline SSE2 → Haswell, images/s: VGG16 inference 16.0, 14.9 → 17.4, 18.1;
/// training steps, batch 16 (two alternating runs each): EfficientNet-Lite0 FP32 36.7, 37.7 → 39.7, 42.1,
/// bf16 42.3, 42.5 → 42.7, 45.7; DenseNet-201 bf16 8.15, 7.77 → 8.41, 8.41; the rest within noise.
/// `-fno-math-errno` lets `Float.squareRoot()` (the stdlib's C shim around `__builtin_sqrtf`) compile
/// to `vsqrtps` instead of a check and a call to libm's `sqrtf` that sets `errno` for negative inputs:
/// with the call, no loop that takes a square root was vectorized (Adam's update ran scalar over every
/// parameter, 0.07 of ConvNeXt-Tiny's 2.8 s step against 0.03 s now; Intel Xeon, 2026-12-06). The
/// square root is correctly rounded either way, so results do not change.
/// All targets get both (tests included), so that every clang module they share is built alike: a
/// target whose clang options differ builds its own copy of `CDNNL`'s module, without the oneDNN
/// include path that only the engine's targets carry (a fresh clone's release build failed so).
/// `scripts/setup.sh` stops with a message on a CPU without AVX2 and FMA.
for target in package.targets where [.regular, .executable, .test].contains(target.type) {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-target-cpu", "haswell", "-Xcc", "-fno-math-errno"])]
}
