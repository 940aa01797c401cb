//! Exports of audit entries: JSON Lines (one entry per line) and CSV (RFC 4180 quoting).

use earshot_protocol::audit::AuditEntry;

/// One JSON object per line.
pub fn json_lines(entries: &[AuditEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        if let Ok(line) = serde_json::to_string(e) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// A header line, then one line per entry.
pub fn csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from(
        "id,installation,seq,ts_ms,action,outcome,project,server_url,room,supervisor,os_user,identity,detail\n",
    );
    for e in entries {
        let cells = [
            e.id.to_string(),
            e.installation.clone(),
            e.seq.to_string(),
            e.ts_ms.to_string(),
            e.action.as_str().to_owned(),
            e.outcome.clone(),
            e.project.clone().unwrap_or_default(),
            e.server_url.clone().unwrap_or_default(),
            e.room.clone().unwrap_or_default(),
            e.supervisor.clone().unwrap_or_default(),
            e.os_user.clone().unwrap_or_default(),
            e.identity.clone().unwrap_or_default(),
            e.detail.clone(),
        ];
        let line: Vec<String> = cells.iter().map(|c| quote(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn quote(cell: &str) -> String {
    // A leading =, +, - or @ would be a formula in a spreadsheet: quote and prefix it.
    let risky = cell.starts_with(['=', '+', '-', '@']);
    if risky || cell.contains([',', '"', '\n', '\r']) {
        let body = if risky {
            format!("'{cell}")
        } else {
            cell.to_owned()
        };
        format!("\"{}\"", body.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use earshot_protocol::audit::AuditAction;

    #[test]
    fn csv_quotes_commas_quotes_and_formulas() {
        let e = AuditEntry {
            id: 1,
            installation: "i".into(),
            seq: 1,
            ts_ms: 5,
            action: AuditAction::RoomCreate,
            outcome: "ok".into(),
            project: Some("a,b".into()),
            server_url: None,
            room: Some("=cmd".into()),
            supervisor: Some("say \"hi\"".into()),
            os_user: None,
            identity: None,
            detail: "{}".into(),
        };
        let out = csv(std::slice::from_ref(&e));
        let line = out.lines().nth(1).unwrap_or_default();
        assert_eq!(
            line,
            "1,i,1,5,room_create,ok,\"a,b\",,\"'=cmd\",\"say \"\"hi\"\"\",,,{}"
        );
        assert_eq!(json_lines(&[e]).lines().count(), 1);
    }
}
