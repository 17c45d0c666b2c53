import Foundation

/// The identity of a cached primitive plan: the kind of plan plus every number of its geometry
/// (shapes, strides, padding, dilation, groups, propagation kind, algorithm, flags).
struct PrimitiveKey: Hashable {
    let kind: String
    let parameters: [Int]
}

/// Plans (primitives plus their cached memory objects) by geometry. Used only under the context lock.
final class PrimitiveCache {
    private var plans: [PrimitiveKey: AnyObject] = [:]

    /// The plan for `key`, built by `make` the first time.
    func plan<Plan: AnyObject>(_ key: PrimitiveKey, make: () throws -> Plan) throws -> Plan {
        if let existing = plans[key] as? Plan { return existing }
        let plan = try make()
        plans[key] = plan
        return plan
    }

    /// Forgets every plan, so that the next use of each geometry creates its primitive anew.
    func removeAll() {
        plans.removeAll()
    }
}
