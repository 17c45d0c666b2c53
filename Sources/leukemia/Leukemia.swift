import ArgumentParser
import LeukemiaKit

@main
struct Leukemia: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leukemia",
        abstract: "Classify acute lymphoblastic leukemia subtypes from blood smear images."
    )
}
