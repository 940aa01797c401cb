//! The window's look as kept in the app's settings (the colour theme), read and written here
//! so the shell stays a wrapper.

use crate::result::AppResult;
use crate::settings::SettingsStore;
use earshot_protocol::appearance::Theme;

/// The settings key of the colour theme.
const THEME_KEY: &str = "ui.theme";

/// The stored theme; the system's when none (or an unknown one) is stored.
pub fn theme(settings: &dyn SettingsStore) -> Theme {
    settings
        .entries()
        .into_iter()
        .find(|(k, _)| k == THEME_KEY)
        .and_then(|(_, v)| v.as_str().and_then(Theme::from_name))
        .unwrap_or_default()
}

/// Keeps `theme`; returns it as stored.
pub fn set_theme(settings: &dyn SettingsStore, theme: Theme) -> AppResult<Theme> {
    settings.set(THEME_KEY, theme.name().into())?;
    Ok(self::theme(settings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::MemorySettings;

    #[test]
    fn the_theme_is_kept_and_unknown_values_fall_back_to_the_system() {
        let settings = std::sync::Arc::new(MemorySettings::default());
        assert_eq!(theme(&settings), Theme::System);
        assert_eq!(set_theme(&settings, Theme::Dark).unwrap(), Theme::Dark);
        assert_eq!(theme(&settings), Theme::Dark);
        settings.set(THEME_KEY, "sepia".into()).unwrap();
        assert_eq!(theme(&settings), Theme::System);
    }
}
