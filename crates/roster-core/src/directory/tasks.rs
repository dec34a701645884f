//! Long-running tasks, as DC reports an asynchronous admin action: `DELETE
//! /rest/api/admin/user/{username}` answers 202 with a task whose status
//! `GET /rest/api/longtask/{id}` reads. roster does the work before it
//! answers, so every task is finished when it is submitted; what is kept is
//! its record, so the status link resolves. Records live in this process
//! only (the last [`KEPT`]): another instance over the same PostgreSQL, or
//! this one after a restart, answers 404 for them.

use std::collections::VecDeque;
use std::time::Instant;

use parking_lot::Mutex;

use super::{Admin, Directory};
use crate::actor::Actor;
use crate::error::{Error, Result};
use crate::types::{now_ms, UserId};

/// How many task records are kept; past that the oldest goes.
pub const KEPT: usize = 1024;

/// A finished task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongTask {
    /// A UUID.
    pub id: String,
    /// What it did, as DC's message key (`delete-user`).
    pub kind: &'static str,
    /// Whom it was about (the username, for a deleted user).
    pub subject: String,
    pub submitted_ms: i64,
    /// How long the work took.
    pub elapsed_ms: i64,
}

#[derive(Default)]
pub(super) struct Tasks(Mutex<VecDeque<LongTask>>);

impl Tasks {
    fn keep(&self, task: LongTask) {
        let mut q = self.0.lock();
        if q.len() == KEPT {
            q.pop_front();
        }
        q.push_back(task);
    }

    fn find(&self, id: &str) -> Option<LongTask> {
        self.0.lock().iter().rev().find(|t| t.id == id).cloned()
    }
}

impl Admin<'_> {
    /// [`Admin::delete_user`] as a long task: the user is deleted (durably)
    /// before this returns, and the task's record is kept for its status.
    pub async fn delete_user_task(&self, id: UserId, subject: &str) -> Result<LongTask> {
        let started = Instant::now();
        let submitted_ms = now_ms();
        self.delete_user(id).await?;
        let task = LongTask {
            id: uuid::Uuid::new_v4().to_string(),
            kind: "delete-user",
            subject: subject.to_string(),
            submitted_ms,
            elapsed_ms: started.elapsed().as_millis() as i64,
        };
        self.dir.tasks.keep(task.clone());
        Ok(task)
    }
}

impl Directory {
    /// The task `id` for a site admin (only admins submit tasks); 404 when
    /// this process holds no such record.
    pub fn long_task(&self, actor: &Actor, id: &str) -> Result<LongTask> {
        self.admin_reader(actor)?;
        self.tasks.find(id).ok_or_else(|| Error::not_found("task", id.to_string()))
    }
}
