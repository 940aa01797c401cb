//! Project commands.

use crate::cli_file::CliConfigFile;
use crate::Core;
use earshot_core::audit::Audited;
use earshot_core::projects::import;
use earshot_core::protocol::command::*;
use earshot_core::protocol::projects::*;
use earshot_core::protocol::AppError;
use tauri::{AppHandle, Runtime, State};

type Reply<T> = Result<T, AppError>;

#[tauri::command]
pub async fn list_projects(core: State<'_, Core>, args: ListProjects) -> Reply<ProjectsView> {
    let ListProjects {} = args;
    Ok(core.projects().list_projects())
}

#[tauri::command]
pub async fn add_project(core: State<'_, Core>, args: AddProject) -> Reply<ProjectSummary> {
    let facts = args.facts();
    let added = core.projects().add_project(args.input, args.verify);
    core.audit().run(facts, None, added).await
}

#[tauri::command]
pub async fn update_project(core: State<'_, Core>, args: UpdateProject) -> Reply<ProjectSummary> {
    let facts = args.facts();
    let updated = core
        .projects()
        .update_project(&args.id, args.input, args.verify);
    core.audit().run(facts, None, updated).await
}

#[tauri::command]
pub async fn remove_project(core: State<'_, Core>, args: RemoveProject) -> Reply<ProjectsView> {
    // Looked up first: the entry names the project, which is gone afterwards.
    let p = core.project(&args.id).await.ok();
    let removed = core.projects().remove_project(&args.id);
    core.audit().run(args.facts(), p.as_ref(), removed).await
}

#[tauri::command]
pub async fn set_default_project(
    core: State<'_, Core>,
    args: SetDefaultProject,
) -> Reply<ProjectsView> {
    core.projects().set_default_project(&args.id).await
}

#[tauri::command]
pub async fn check_project(core: State<'_, Core>, args: CheckProject) -> Reply<ConnectionReport> {
    core.projects().check_project(&args.id).await
}

#[tauri::command]
pub async fn check_project_input(
    core: State<'_, Core>,
    args: CheckProjectInput,
) -> Reply<ConnectionReport> {
    core.projects()
        .check_project_input(args.input, args.id.as_deref())
        .await
}

#[tauri::command]
pub async fn scan_cli_config(
    core: State<'_, Core>,
    file: State<'_, CliConfigFile>,
    args: ScanCliConfig,
) -> Reply<CliScan> {
    let ScanCliConfig {} = args;
    import::scan_cli_config(core.projects(), &file.current()?).await
}

#[tauri::command]
pub async fn choose_cli_config<R: Runtime>(
    app: AppHandle<R>,
    core: State<'_, Core>,
    file: State<'_, CliConfigFile>,
    args: ChooseCliConfig,
) -> Reply<Option<CliScan>> {
    let ChooseCliConfig {} = args;
    let Some(path) = file.pick(&app).await? else {
        return Ok(None);
    };
    let scan = import::scan_cli_config(core.projects(), &path).await?;
    file.set(path);
    Ok(Some(scan))
}

#[tauri::command]
pub async fn import_cli_projects(
    core: State<'_, Core>,
    file: State<'_, CliConfigFile>,
    args: ImportCliProjects,
) -> Reply<ImportReport> {
    let path = file.current()?;
    let imported = import::import_cli_projects(core.projects(), &path, &args.names);
    core.audit().run(args.facts(), None, imported).await
}
