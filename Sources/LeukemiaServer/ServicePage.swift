enum ServicePage { static let html = "<!doctype html><title>Leukemia</title>" }
