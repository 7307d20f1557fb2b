//! Verdicts, kept in `build/quest/results.json` so `quest board` can show
//! them without booting anything.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::checks::Outcome;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Unlocked,
    Locked,
    /// The rank's checks have not been written yet.
    NotCheckable,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckResult {
    pub describe: String,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AchievementResult {
    pub id: String,
    pub status: Status,
    /// The checkpoint the checks ran against.
    pub checkpoint: u8,
    pub checks: Vec<CheckResult>,
}

/// Everything known, by achievement id.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Results {
    /// Loader and accelerator of the last run, for the board's footer.
    pub last_run: String,
    pub achievements: BTreeMap<String, AchievementResult>,
}

impl Results {
    pub fn load(path: &Path) -> Self {
        std::fs::read_to_string(path).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(self)?).with_context(|| format!("writing {}", path.display()))
    }

    pub fn record(&mut self, results: &[AchievementResult]) {
        for result in results {
            self.achievements.insert(result.id.clone(), result.clone());
        }
    }
}
