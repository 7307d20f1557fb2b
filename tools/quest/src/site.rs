//! `quest site`: assembles the Jekyll site's sources from the repository.
//!
//! The site never states a fact of its own about a rank: it is `site/`
//! (layouts, styles, the home and reference pages) plus what this module
//! generates from the ranks themselves. Each rank's manifest becomes
//! `_data/ranks.json` (achievements, their quests and how each is proven,
//! in the words `describe` gives QUESTS.md), each chapter in
//! `ranks/NN-slug/docs/` becomes a page, and each rank's screenshot comes
//! from the real checkpoint. Published (`--published`, what GitHub Pages
//! gets) the site shows every rank as reading material; built locally after
//! `make check`, it also marks each achievement by the learner's own
//! results and uses their own screenshots, so it doubles as their board.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::manifest::Rank;
use crate::project::Project;
use crate::results::{Results, Status};

/// Points per achievement, as on the board.
const POINTS: usize = 10;

/// One chapter of a rank's docs.
#[derive(Debug, PartialEq)]
pub struct Chapter {
    /// The page's file stem in the site (`01-census`, `intro`).
    pub stem: String,
    pub title: String,
    pub order: i64,
    /// The Markdown after the front matter, with links between chapters
    /// pointing at the generated `.html` pages.
    pub body: String,
    /// The original front-matter lines (kept on the page).
    pub front: Vec<String>,
}

/// Splits `---` front matter from a chapter and reads `title` and `order`.
pub fn parse_chapter(stem: &str, text: &str) -> Result<Chapter> {
    let Some(rest) = text.strip_prefix("---\n") else {
        bail!("a chapter must start with `---` front matter (title, rank, order)");
    };
    let Some(end) = rest.find("\n---\n") else {
        bail!("the chapter's front matter is not closed by `---`");
    };
    let front: Vec<String> = rest[..end].lines().map(str::to_string).collect();
    let field = |name: &str| {
        front.iter().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == name).then(|| value.trim().trim_matches('"').to_string())
        })
    };
    let title = field("title").context("the chapter's front matter has no `title`")?;
    let order = field("order").and_then(|o| o.parse().ok()).unwrap_or(i64::MAX);
    let body = rewrite_links(&rest[end + 5..]);
    let stem = if stem == "index" { "intro".to_string() } else { stem.to_string() };
    Ok(Chapter { stem, title, order, body, front })
}

/// `](01-census.md)` → `](01-census.html)`, `](index.md)` → `](intro.html)`,
/// keeping `#anchors`: links between chapters work in the repository
/// (GitHub renders the `.md`) and on the site alike.
pub fn rewrite_links(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("](") {
        out.push_str(&rest[..start + 2]);
        rest = &rest[start + 2..];
        let end = rest.find(')').unwrap_or(rest.len());
        let target = &rest[..end];
        let (path, anchor) = target.split_once('#').map_or((target, ""), |(p, a)| (p, a));
        let local = !path.contains('/') && !path.contains(':');
        match path.strip_suffix(".md") {
            Some(stem) if local => {
                out.push_str(if stem == "index" { "intro" } else { stem });
                out.push_str(".html");
                if !anchor.is_empty() {
                    out.push('#');
                    out.push_str(anchor);
                }
            }
            _ => out.push_str(target),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The chapters of one rank, intro first, then by `order`.
fn chapters(rank: &Rank) -> Result<Vec<Chapter>> {
    let docs = rank.dir.join("docs");
    let Ok(entries) = std::fs::read_dir(&docs) else { return Ok(Vec::new()) };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "md") {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
            let text = std::fs::read_to_string(&path)?;
            found.push(parse_chapter(&stem, &text).with_context(|| format!("{}", path.display()))?);
        }
    }
    found.sort_by_key(|c| (c.stem != "intro", c.order, c.stem.clone()));
    Ok(found)
}

/// What a local build knows: the learner's results.
struct Progress<'a> {
    results: &'a Results,
    /// The first achievement not yet unlocked, in ladder order.
    next: Option<String>,
}

impl Progress<'_> {
    fn achievement(&self, id: &str) -> &'static str {
        match self.results.achievements.get(id).map(|r| r.status) {
            Some(Status::Unlocked) => "unlocked",
            _ if self.next.as_deref() == Some(id) => "next",
            Some(Status::NotCheckable) => "skipped",
            _ => "locked",
        }
    }

    fn unlocked(&self, rank: &Rank) -> usize {
        rank.achievements.iter().filter(|a| self.achievement(&a.id) == "unlocked").count()
    }

    fn rank(&self, rank: &Rank) -> &'static str {
        let done = self.unlocked(rank);
        if done == rank.achievements.len() {
            "complete"
        } else if rank.achievements.iter().any(|a| self.next.as_deref() == Some(a.id.as_str())) {
            "next"
        } else if done > 0 {
            "in-progress"
        } else {
            "locked"
        }
    }
}

/// Writes the site's sources to `out`: a copy of `site/` plus the ranks.
/// `progress` is `Some` for a learner's local build.
pub fn assemble(project: &Project, ranks: &[Rank], results: Option<&Results>, out: &Path) -> Result<()> {
    let source = project.root.join("site");
    if !source.is_dir() {
        bail!("{} is missing: the site's layouts live there", source.display());
    }
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("clearing {}", out.display()))?;
    }
    copy_tree(&source, out)?;

    let progress = results.map(|results| Progress {
        results,
        next: ranks
            .iter()
            .flat_map(|r| &r.achievements)
            .find(|a| results.achievements.get(&a.id).is_none_or(|r| r.status != Status::Unlocked))
            .map(|a| a.id.clone()),
    });
    let mut data = Vec::new();
    for rank in ranks {
        data.push(assemble_rank(project, rank, progress.as_ref(), out)?);
    }
    let data_dir = out.join("_data");
    std::fs::create_dir_all(&data_dir)?;
    std::fs::write(data_dir.join("ranks.json"), serde_json::to_string_pretty(&data)?)?;
    let total: usize = ranks.iter().map(|r| r.achievements.len()).sum();
    let build = match &progress {
        Some(p) => json!({
            "mode": "local",
            "last_run": (!p.results.last_run.is_empty()).then(|| p.results.last_run.clone()),
            "score": ranks.iter().map(|r| p.unlocked(r)).sum::<usize>() * POINTS,
            "max_score": total * POINTS,
        }),
        None => json!({ "mode": "published", "last_run": null, "score": null, "max_score": total * POINTS }),
    };
    std::fs::write(data_dir.join("build.json"), serde_json::to_string_pretty(&build)?)?;
    Ok(())
}

fn assemble_rank(project: &Project, rank: &Rank, progress: Option<&Progress>, out: &Path) -> Result<Value> {
    let dir_name = rank.dir.file_name().and_then(|n| n.to_str()).context("a rank folder name")?.to_string();
    let site_dir = out.join("ranks").join(&dir_name);
    std::fs::create_dir_all(&site_dir)?;
    let title = format!("Rank {}: {}", rank.numeral, rank.name);
    std::fs::write(
        site_dir.join("index.md"),
        format!(
            "---\nlayout: rank\nrank: {}\ntitle: \"{title}\"\npermalink: /ranks/{dir_name}/index.html\n---\n",
            rank.number
        ),
    )?;

    let images = rank.dir.join("docs").join("images");
    if images.is_dir() {
        copy_tree(&images, &site_dir.join("images"))?;
    }
    let chapters = chapters(rank)?;
    let mut listed = Vec::new();
    for chapter in &chapters {
        let mut page = String::from("---\n");
        for line in chapter.front.iter().filter(|l| !l.starts_with("layout:") && !l.starts_with("permalink:")) {
            let _ = writeln!(page, "{line}");
        }
        let _ = writeln!(page, "layout: chapter\npermalink: /ranks/{dir_name}/{}.html\n---", chapter.stem);
        page.push_str(&chapter.body);
        std::fs::write(site_dir.join(format!("{}.md", chapter.stem)), page)?;
        let order = if chapter.stem == "intro" { 0 } else { chapter.order };
        listed.push(json!({
            "title": chapter.title,
            "url": format!("ranks/{dir_name}/{}.html", chapter.stem),
            "order": order,
        }));
    }

    // The learner's own checkpoint when they have booted it; else the
    // screenshot the rank's chapters were written with.
    let own = project.screens_dir().join(format!("rank-{}.png", rank.number));
    // A checkpoint without a display (Rank I) screenshots as one flat colour:
    // the chapters' picture says more.
    let own_shows_something = own.is_file()
        && crate::screen::Image::load(&own).is_ok_and(|image| image.pixels.iter().any(|p| *p != image.pixels[0]));
    let screenshot = if progress.is_some() && own_shows_something {
        std::fs::create_dir_all(site_dir.join("images"))?;
        std::fs::copy(&own, site_dir.join("images").join("checkpoint.png"))?;
        Some(format!("ranks/{dir_name}/images/checkpoint.png"))
    } else if images.join("plain.png").is_file() {
        Some(format!("ranks/{dir_name}/images/plain.png"))
    } else {
        None
    };

    let achievements: Vec<Value> = rank
        .achievements
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "title": a.title,
                "quest": a.quest.trim(),
                "why": a.why,
                "checks": a.checks.iter().map(crate::describe::check).collect::<Vec<_>>(),
                "status": progress.map(|p| p.achievement(&a.id)),
            })
        })
        .collect();
    Ok(json!({
        "number": rank.number,
        "numeral": rank.numeral,
        "name": rank.name,
        "slug": dir_name.split_once('-').map_or(dir_name.as_str(), |(_, slug)| slug),
        "dir": dir_name,
        "focus": rank.focus,
        "summary": rank.summary.trim(),
        "url": format!("ranks/{dir_name}/index.html"),
        "screenshot": screenshot,
        "chapters": listed,
        "status": progress.map(|p| p.rank(rank)),
        "unlocked": progress.map_or(0, |p| p.unlocked(rank)),
        "total": rank.achievements.len(),
        "achievements": achievements,
    }))
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {} to {}", entry.path().display(), target.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_gives_title_and_order_and_index_becomes_intro() {
        let chapter =
            parse_chapter("index", "---\ntitle: \"Rank IV: The Mind\"\nrank: 4\norder: 0\n---\n\n# Hi\n").unwrap();
        assert_eq!((chapter.stem.as_str(), chapter.title.as_str(), chapter.order), ("intro", "Rank IV: The Mind", 0));
        assert_eq!(chapter.body, "\n# Hi\n");
        assert_eq!(chapter.front.len(), 3);
    }

    #[test]
    fn a_chapter_without_front_matter_is_refused() {
        assert!(parse_chapter("x", "# no front matter\n").is_err());
        assert!(parse_chapter("x", "---\ntitle: a\n").is_err());
        assert!(parse_chapter("x", "---\norder: 1\n---\n").is_err());
    }

    #[test]
    fn links_between_chapters_point_at_pages() {
        let body = "See [frames](02-frames.md#why), [the rank](index.md), [code](../../kernel/src/main.rs), \
                    [site](https://example.org/a.md) and ![pic](images/plain.png).";
        assert_eq!(
            rewrite_links(body),
            "See [frames](02-frames.html#why), [the rank](intro.html), [code](../../kernel/src/main.rs), \
             [site](https://example.org/a.md) and ![pic](images/plain.png)."
        );
    }
}

/// What a rendered page must show, judged from Chromium's `--dump-dom`
/// and `--screenshot` of it: not a blank or broken page.
pub struct PageExpectation<'a> {
    /// Elements with these ids exist (`rank-ladder`, `achievements`).
    pub ids: &'a [String],
    /// This many `rank-row` elements (the ladder's rows), if given.
    pub ladder_rows: Option<usize>,
    /// Texts the page contains (a rank's name).
    pub texts: &'a [String],
}

/// Checks a page's DOM and screenshot; the error says what is wrong.
pub fn check_page(dom: &str, image: &crate::screen::Image, expect: &PageExpectation) -> Result<String> {
    for id in expect.ids {
        if !dom.contains(&format!("id=\"{id}\"")) {
            bail!("the page has no element with id=\"{id}\"");
        }
    }
    if let Some(wanted) = expect.ladder_rows {
        let rows = dom.matches("class=\"rank-row").count();
        if rows != wanted {
            bail!("the rank ladder has {rows} rows, wanted {wanted} (one per rank)");
        }
    }
    for text in expect.texts {
        if !dom.contains(text.as_str()) {
            bail!("the page does not contain {text:?}");
        }
    }
    // A page that loaded has text: many pixels differ from the background
    // (the most common colour), in more than a couple of colours.
    let mut counts = std::collections::HashMap::new();
    for pixel in &image.pixels {
        *counts.entry(*pixel).or_insert(0usize) += 1;
    }
    let background = counts.values().copied().max().unwrap_or(0);
    let ink = image.pixels.len() - background;
    let share = ink as f64 / image.pixels.len().max(1) as f64;
    if counts.len() < 8 || share < 0.01 {
        bail!(
            "the screenshot looks blank: {} colours, {:.2}% of pixels differ from the background",
            counts.len(),
            share * 100.0
        );
    }
    Ok(format!(
        "{} colours, {:.1}% of the {}x{} pixels are ink",
        counts.len(),
        share * 100.0,
        image.width,
        image.height
    ))
}

#[cfg(test)]
mod page_tests {
    use super::*;
    use crate::screen::Image;

    fn page_image() -> Image {
        let mut image = Image::new(100, 100, [255, 255, 255]);
        for i in 0..400u32 {
            image.set(i % 100, i / 100 * 7, [(i % 13) as u8 * 10, 20, 30]);
        }
        image
    }

    #[test]
    fn a_loaded_page_with_its_ladder_passes() {
        let dom = r#"<ol id="rank-ladder"><li class="rank-row" data-rank="1">The Awakening</li><li class="rank-row done" data-rank="2"></li></ol>"#;
        let ids = vec!["rank-ladder".to_string()];
        let texts = vec!["The Awakening".to_string()];
        let expect = PageExpectation { ids: &ids, ladder_rows: Some(2), texts: &texts };
        assert!(check_page(dom, &page_image(), &expect).is_ok());
        let three = PageExpectation { ids: &ids, ladder_rows: Some(3), texts: &texts };
        assert!(check_page(dom, &page_image(), &three).unwrap_err().to_string().contains("2 rows"));
    }

    #[test]
    fn a_blank_screenshot_or_a_missing_element_fails() {
        let ids = vec!["achievements".to_string()];
        let expect = PageExpectation { ids: &ids, ladder_rows: None, texts: &[] };
        let blank = Image::new(100, 100, [255, 255, 255]);
        assert!(check_page(r#"<table id="achievements">"#, &blank, &expect).unwrap_err().to_string().contains("blank"));
        assert!(check_page("<p>404</p>", &page_image(), &expect).unwrap_err().to_string().contains("achievements"));
    }
}
