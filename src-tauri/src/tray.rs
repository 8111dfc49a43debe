//! The tray icon: Show window, a greyed "N jobs in flight" line kept current from job events,
//! and Quit. Created only in the real app (`Options::desktop`), never under the mock runtime.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

const SHOW: &str = "show";
const QUIT: &str = "quit";

/// The tray's parts that change.
pub struct Tray<R: Runtime> {
    in_flight: MenuItem<R>,
    _icon: TrayIcon<R>,
}

impl<R: Runtime> std::fmt::Debug for Tray<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray").finish_non_exhaustive()
    }
}

/// "No jobs in flight", "1 job in flight", "3 jobs in flight".
pub fn label(count: usize) -> String {
    match count {
        0 => "No jobs in flight".to_string(),
        1 => "1 job in flight".to_string(),
        n => format!("{n} jobs in flight"),
    }
}

/// Builds the tray icon and its menu.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let show = MenuItem::with_id(app, SHOW, "Show window", true, None::<&str>)?;
    let in_flight = MenuItem::with_id(app, "in_flight", label(0), false, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&show, &in_flight, &separator, &quit])?;
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip(crate::APP_NAME)
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            SHOW => show_main(app),
            QUIT => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_main(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let icon = builder.build(app)?;
    app.manage(Tray {
        in_flight,
        _icon: icon,
    });
    Ok(())
}

/// Updates the "jobs in flight" line (a no-op without a tray).
pub fn set_in_flight<R: Runtime>(app: &AppHandle<R>, count: usize) {
    if let Some(tray) = app.try_state::<Tray<R>>()
        && let Err(e) = tray.in_flight.set_text(label(count))
    {
        tracing::debug!("tray not updated: {e}");
    }
}

/// Brings the main window to the front.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_count_reads_naturally() {
        assert_eq!(super::label(0), "No jobs in flight");
        assert_eq!(super::label(1), "1 job in flight");
        assert_eq!(super::label(4), "4 jobs in flight");
    }
}
