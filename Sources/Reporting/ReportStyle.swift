/// The page's only style sheet, inlined in `<head>`: system fonts, readable widths, tables with
/// right-aligned tabular numbers (`.num`), wrapping rows of figures and a grid of gallery cards.
enum ReportStyle {
    static let css = """
    :root { color-scheme: light; }
    body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
           font-size: 15px; line-height: 1.45; color: #222; background: #fff; margin: 0 auto; padding: 24px; max-width: 1200px; }
    h1 { font-size: 26px; } h2 { font-size: 21px; margin-top: 32px; } h3 { font-size: 17px; }
    table { border-collapse: collapse; margin: 12px 0; }
    caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
    th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
    th { border-bottom: 2px solid #444; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    .figures { margin: 16px 0; }
    .figures .row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
    .figures figcaption { font-size: 14px; color: #444; margin-top: 6px; }
    svg.figure { max-width: 100%; height: auto; }
    .gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; margin: 12px 0; }
    .card { border: 1px solid #ccc; border-radius: 6px; padding: 8px; font-size: 13px; }
    .card .images { display: flex; gap: 4px; }
    .card img { width: 108px; height: 108px; object-fit: contain; image-rendering: auto; background: #f4f4f4; }
    .card p { margin: 2px 0; overflow-wrap: anywhere; }
    pre { background: #f5f5f5; border: 1px solid #ddd; padding: 10px; overflow-x: auto; font-size: 13px; }
    """
}
