/// The study's four classes in index order (the order of `CostMatrix.study`), spelled out so that
/// these tests need no data-set code.
let studyClassNames = ["Benign", "Early", "Pre", "Pro"]
