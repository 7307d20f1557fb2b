//! Host tests of the run queue and the process table.

use super::*;

#[test]
fn the_queue_is_first_in_first_out_and_never_holds_a_pid_twice() {
    let mut queue: RunQueue<4> = RunQueue::new();
    assert!(queue.is_empty(), "empty means idle");
    for pid in [3, 1, 2] {
        queue.push(pid).unwrap();
    }
    queue.push(1).unwrap();
    assert_eq!(queue.len(), 3, "a second push of a queued pid is a no-op");
    assert_eq!(queue.pop(), Some(3));
    queue.push(3).unwrap();
    assert_eq!(queue.iter().collect::<Vec<_>>(), [1, 2, 3], "a yield goes to the back");
    queue.push(4).unwrap();
    assert_eq!(queue.push(5), Err(QueueFull(5)));
    assert_eq!(
        [queue.pop(), queue.pop(), queue.pop(), queue.pop(), queue.pop()],
        [Some(1), Some(2), Some(3), Some(4), None]
    );
}

#[test]
fn removing_a_blocked_pid_keeps_the_others_in_order_across_the_wrap() {
    let mut queue: RunQueue<4> = RunQueue::new();
    for pid in 1..=4 {
        queue.push(pid).unwrap();
    }
    queue.pop();
    queue.pop();
    queue.push(5).unwrap();
    queue.push(6).unwrap(); // the ring has wrapped: 3 4 5 6
    assert!(queue.remove(4));
    assert!(!queue.remove(4));
    assert_eq!(queue.iter().collect::<Vec<_>>(), [3, 5, 6]);
    queue.push(7).unwrap();
    assert_eq!(queue.iter().collect::<Vec<_>>(), [3, 5, 6, 7]);
}

#[test]
fn round_robin_of_two_alternates_strictly() {
    // What `yield` does: the current process goes to the back, the front
    // one runs. Two processes must alternate exactly.
    let mut queue: RunQueue<8> = RunQueue::new();
    queue.push(2).unwrap();
    let mut current = 1;
    let mut order = vec![current];
    for _ in 0..9 {
        queue.push(current).unwrap();
        current = queue.pop().unwrap();
        order.push(current);
    }
    assert_eq!(order, [1, 2, 1, 2, 1, 2, 1, 2, 1, 2]);
}

#[test]
fn a_model_of_random_operations_matches_a_vecdeque() {
    let mut queue: RunQueue<16> = RunQueue::new();
    let mut model = std::collections::VecDeque::new();
    let mut rng = heap::XorShift64::new(0x1234_5678);
    for _ in 0..100_000 {
        let random = rng.next_u64();
        let pid = random % 24;
        match random % 3 {
            0 => {
                let result = queue.push(pid);
                if model.contains(&pid) {
                    assert_eq!(result, Ok(()));
                } else if model.len() == 16 {
                    assert_eq!(result, Err(QueueFull(pid)));
                } else {
                    assert_eq!(result, Ok(()));
                    model.push_back(pid);
                }
            }
            1 => assert_eq!(queue.pop(), model.pop_front()),
            _ => {
                let there = model.iter().position(|&p| p == pid);
                assert_eq!(queue.remove(pid), there.is_some());
                if let Some(i) = there {
                    model.remove(i);
                }
            }
        }
        assert!(queue.iter().eq(model.iter().copied()));
    }
}

#[test]
fn a_child_exiting_first_stays_a_zombie_until_its_parent_waits() {
    let mut table: Table<&str, 8> = Table::new(1);
    let (init, _) = table.spawn(0, "init").unwrap();
    let (child, _) = table.spawn(init, "child").unwrap();
    assert_eq!((init, child), (1, 2));
    assert_eq!(table.exit(child, 42).iter().count(), 0, "the parent was not waiting");
    assert_eq!(table.get(child).unwrap().state, State::Exited(42));
    assert_eq!(table.wait(init, WaitFor::Child(child)), WaitOutcome::Reaped { pid: child, status: 42, data: "child" });
    assert!(table.get(child).is_none(), "no zombie left");
    assert_eq!(table.wait(init, WaitFor::Child(child)), WaitOutcome::NotChild, "reaped once only");
}

#[test]
fn a_parent_waiting_first_blocks_and_is_woken_by_that_child_only() {
    let mut table: Table<(), 8> = Table::new(1);
    let (parent, _) = table.spawn(0, ()).unwrap();
    let (first, _) = table.spawn(parent, ()).unwrap();
    let (second, _) = table.spawn(parent, ()).unwrap();
    assert_eq!(table.wait(parent, WaitFor::Child(second)), WaitOutcome::MustBlock);
    table.get_mut(parent).unwrap().state = State::WaitingForChild(Some(second));
    assert_eq!(table.exit(first, 0).iter().count(), 0, "not the child it waits for");
    assert_eq!(table.exit(second, 7).iter().collect::<Vec<_>>(), [parent]);
    assert!(matches!(table.wait(parent, WaitFor::Child(second)), WaitOutcome::Reaped { status: 7, .. }));
    assert!(matches!(table.wait(parent, WaitFor::AnyChild), WaitOutcome::Reaped { status: 0, .. }));
    assert_eq!(table.wait(parent, WaitFor::AnyChild), WaitOutcome::NotChild, "no children left");
}

#[test]
fn wait_refuses_strangers_grandchildren_and_itself() {
    let mut table: Table<(), 8> = Table::new(1);
    let (a, _) = table.spawn(0, ()).unwrap();
    let (b, _) = table.spawn(0, ()).unwrap();
    let (child_of_a, _) = table.spawn(a, ()).unwrap();
    let (grandchild, _) = table.spawn(child_of_a, ()).unwrap();
    assert_eq!(table.wait(b, WaitFor::Child(child_of_a)), WaitOutcome::NotChild);
    assert_eq!(table.wait(a, WaitFor::Child(grandchild)), WaitOutcome::NotChild);
    assert_eq!(table.wait(a, WaitFor::Child(a)), WaitOutcome::NotChild);
    assert_eq!(table.wait(a, WaitFor::Child(999)), WaitOutcome::NotChild);
    assert_eq!(table.wait(b, WaitFor::AnyChild), WaitOutcome::NotChild);
}

#[test]
fn orphans_go_to_init_which_is_woken_for_an_adopted_zombie() {
    let mut table: Table<(), 8> = Table::new(1);
    let (init, _) = table.spawn(0, ()).unwrap();
    let (shell, _) = table.spawn(init, ()).unwrap();
    let (running, _) = table.spawn(shell, ()).unwrap();
    let (finished, _) = table.spawn(shell, ()).unwrap();
    table.exit(finished, 3);
    table.get_mut(init).unwrap().state = State::WaitingForChild(None);
    let woken: Vec<_> = table.exit(shell, 0).iter().collect();
    assert_eq!(woken, [init], "init waits for any child: the shell, and the adopted zombie");
    assert_eq!(table.get(running).unwrap().parent, init);
    assert_eq!(table.get(finished).unwrap().parent, init);
    let mut statuses = Vec::new();
    while let WaitOutcome::Reaped { status, .. } = table.wait(init, WaitFor::AnyChild) {
        statuses.push(status);
    }
    statuses.sort();
    assert_eq!(statuses, [0, 3]);
    assert_eq!(table.wait(init, WaitFor::AnyChild), WaitOutcome::MustBlock, "the running orphan is still its child");
}

#[test]
fn a_full_table_refuses_cleanly_and_pids_are_not_reused() {
    let mut table: Table<u32, 4> = Table::new(1);
    let (init, _) = table.spawn(0, 0).unwrap();
    let children: Vec<Pid> = (1..4).map(|i| table.spawn(init, i).unwrap().0).collect();
    assert_eq!(table.spawn(init, 9), Err(TableFull), "zombies count: every slot is taken");
    table.exit(children[0], 0);
    assert_eq!(table.spawn(init, 9), Err(TableFull), "a zombie still holds its slot");
    assert!(matches!(table.wait(init, WaitFor::Child(children[0])), WaitOutcome::Reaped { .. }));
    let (pid, slot) = table.spawn(init, 9).unwrap();
    assert_eq!(pid, 5, "a new pid, never a reused one");
    assert_eq!(table.slot_of(pid), Some(slot));
    assert_eq!(table.len(), 4);
}

#[test]
fn exiting_twice_or_an_unknown_pid_changes_nothing() {
    let mut table: Table<(), 4> = Table::new(1);
    let (init, _) = table.spawn(0, ()).unwrap();
    let (child, _) = table.spawn(init, ()).unwrap();
    table.exit(child, 1);
    table.get_mut(init).unwrap().state = State::WaitingForChild(None);
    assert_eq!(table.exit(child, 2).iter().count(), 0);
    assert_eq!(table.get(child).unwrap().state, State::Exited(1), "the first status stands");
    assert_eq!(table.exit(77, 0).iter().count(), 0);
}

#[test]
fn only_input_waiters_are_listed_as_such() {
    let mut table: Table<(), 4> = Table::new(1);
    let (a, _) = table.spawn(0, ()).unwrap();
    let (b, _) = table.spawn(0, ()).unwrap();
    table.get_mut(b).unwrap().state = State::WaitingForInput;
    assert_eq!(table.waiting_for_input().collect::<Vec<_>>(), [b]);
    assert_ne!(a, b);
}

/// Random spawns, exits and waits against the rules: every exited child
/// is collected exactly once with its own status, nothing is lost.
#[test]
fn random_lifecycles_collect_every_status_exactly_once() {
    let mut table: Table<u64, 16> = Table::new(1);
    let (init, _) = table.spawn(0, 0).unwrap();
    let mut exited = std::collections::BTreeMap::new();
    let mut collected = std::collections::BTreeMap::new();
    let mut rng = 0xfeed_u64;
    for _ in 0..50_000 {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1);
        let live: Vec<Pid> =
            table.iter().filter(|p| p.pid != init && !matches!(p.state, State::Exited(_))).map(|p| p.pid).collect();
        match (rng >> 33) % 3 {
            0 => {
                let parent = if live.is_empty() || rng.is_multiple_of(2) {
                    init
                } else {
                    live[(rng >> 40) as usize % live.len()]
                };
                let _ = table.spawn(parent, rng);
            }
            1 if !live.is_empty() => {
                let pid = live[(rng >> 40) as usize % live.len()];
                table.exit(pid, pid * 10);
                exited.insert(pid, pid * 10);
            }
            _ => {
                let parents: Vec<Pid> = table.iter().map(|p| p.pid).collect();
                for parent in parents {
                    while let WaitOutcome::Reaped { pid, status, .. } = table.wait(parent, WaitFor::AnyChild) {
                        assert!(collected.insert(pid, status).is_none(), "{pid} collected twice");
                    }
                }
            }
        }
    }
    for (pid, status) in &collected {
        assert_eq!(exited.get(pid), Some(status));
    }
    let zombies = table.iter().filter(|p| matches!(p.state, State::Exited(_))).count();
    assert_eq!(collected.len() + zombies, exited.len(), "every exit is collected or still waiting to be");
}
