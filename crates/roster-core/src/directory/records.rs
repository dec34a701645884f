//! Loading the dataset generator's JSON lines (`roster import`) through the
//! store's bulk import, which is what makes a million memberships load in
//! seconds. The one rule added here: groups there carry ids, and a group
//! whose id is new but whose name is taken (the groups a first start
//! creates) is merged into the stored group of that name rather than
//! failing the import on the name.

use std::collections::HashMap;

use super::admin::Admin;
use crate::error::Result;
use crate::import::ImportSet;
use crate::store::ImportReport;

impl Admin<'_> {
    /// Loads records in the dataset generator's JSON lines format (`roster
    /// import`), which name groups by id, through the store's bulk import.
    /// A group whose id is new but whose name is taken (the groups a first
    /// start creates) is merged into the stored group of that name: its
    /// memberships go there. Answers the store's counts and the names of
    /// the groups merged.
    pub async fn import_records(&self, mut set: ImportSet) -> Result<(ImportReport, Vec<String>)> {
        let merged = {
            let m = self.dir.read();
            let mut remap: HashMap<String, String> = HashMap::new();
            let mut merged = Vec::new();
            set.groups.retain(|(g, _)| {
                if m.group_by_uuid(&g.uuid).is_ok() {
                    return true;
                }
                match m.group_by_name(&g.name) {
                    Ok(stored) => {
                        remap.insert(g.uuid.clone(), stored.group.uuid.to_string());
                        merged.push(stored.group.name.to_string());
                        false
                    }
                    Err(_) => true,
                }
            });
            for ms in &mut set.memberships {
                if let Some(uuid) = remap.get(&ms.group_uuid) {
                    ms.group_uuid = uuid.clone();
                }
            }
            merged
        };
        let mut report = self.dir.store.import(set).await?;
        report.unchanged += merged.len();
        Ok((report, merged))
    }
}
