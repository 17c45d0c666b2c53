extension RGBImage {
    /// The magenta stain channel: `((R + B) / 2 − G) / 255` per pixel, clamped to 0...1, i.e. how
    /// much less green a pixel has than red and blue.
    ///
    /// Romanowsky stains (Wright, Giemsa, May-Grünwald-Giemsa) colour the nuclei and cytoplasm of
    /// white cells anywhere from pink to blue-violet, and all of these absorb green light most,
    /// whereas unstained background is near white or yellowish and red cells are greyish, pale
    /// blue or pink with little green deficit. On the ALL images (224x224): purple and blue-violet
    /// nuclei score about 0.25–0.35, the pale pink pro-B cells about 0.25, red cells 0–0.14 and
    /// the background 0, whichever way a slide was stained — unlike a fixed hue range, which
    /// misses the pink and the deep blue cells.
    public func magentaStain() -> GrayImage {
        channel { red, green, blue in max((red + blue) / 2 - green, 0) * (1 / 255) }
    }
}
