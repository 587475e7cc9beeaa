"""Per-counter lines: exact timelines with staff coming and going, breaks, reneging, a waiting
room and the level series, where a shared line would give different starts."""

from __future__ import annotations

from tests.engine.timeline import levels, run_text, staff_rows, visits

TWO_CLASSES = """
name: per counter
clock: {{open: "09:00", close: "{close}"}}
customer_classes:
  long: {{pathway: p}}
  short: {{pathway: p{patience}}}
arrivals:
  log: {{trace: trace.csv, class_column: cls}}
stations:
  s: {{counters: 2, staffed: false, line: {line}{room},
      service: {{dist: constant, value: 5}},
      service_by_class: {{long: {{dist: constant, value: 30}}}}}}
pathways: {{p: [s]}}
"""


def two_classes(line: str = "per_counter", close: str = "12:00", patience: str = "",
                room: str = "") -> str:
    return TWO_CLASSES.format(line=line, close=close, patience=patience, room=room)


def test_a_customer_waits_behind_their_own_counter_not_the_first_free_one(tmp_path):
    trace = "time,cls\n0,long\n0,short\n1,short\n6,short\n"
    rec = run_text(tmp_path, two_classes(), trace)
    assert visits(rec) == [
        (0, "s", 540.0, 540.0, 570.0, "SERVED"),
        (1, "s", 540.0, 540.0, 545.0, "SERVED"),
        # a tie (one customer at each counter): the lowest counter's line, behind the long one
        (2, "s", 541.0, 570.0, 575.0, "SERVED"),
        # counter 1 is idle with an empty line: served at once
        (3, "s", 546.0, 546.0, 551.0, "SERVED"),
    ]
    assert rec.visits["counter"].tolist() == [0, 1, 0, 1]
    assert rec.visits["queue_on_join"].tolist() == [0, 0, 0, 0]
    assert levels(rec, "s") == [
        (540.0, 0, 2, 2), (541.0, 1, 2, 2), (545.0, 1, 1, 2), (546.0, 1, 2, 2),
        (551.0, 1, 1, 2), (570.0, 0, 1, 2), (575.0, 0, 0, 2),
    ]
    # one shared line: the same customers, customer 2 starts when counter 1 frees up
    shared = run_text(tmp_path, two_classes(line="single"), trace)
    assert [v[3] for v in visits(shared)] == [540.0, 540.0, 545.0, 550.0]


def test_balking_counts_the_line_of_the_counter_chosen(tmp_path):
    yaml = two_classes().replace("short: {pathway: p}",
                                 "short: {pathway: p, balk: {queue_at_least: 1}}")
    trace = "time,cls\n0,long\n0,long\n1,short\n2,short\n3,short\n"
    rec = run_text(tmp_path, yaml, trace)
    # customer 2 joins counter 0's empty line; customer 3 then sees no one waiting at counter
    # 1 (one in service) and joins it; customer 4 would join counter 0's line (a tie, 2 and
    # 2), where one is waiting, and balks
    assert [v[-1] for v in visits(rec)] == ["SERVED", "SERVED", "SERVED", "SERVED", "BALKED"]
    assert rec.visits["queue_on_join"].tolist() == [0, 0, 0, 0, 1]
    assert rec.visits["counter"].tolist() == [0, 1, 0, 1, -1]
    # one shared line: customer 3 sees customer 2 waiting and balks
    shared = run_text(tmp_path, yaml.replace("per_counter", "single"), trace)
    assert [v[-1] for v in visits(shared)] == ["SERVED", "SERVED", "SERVED", "BALKED", "BALKED"]


def test_abandoning_shortens_its_line_for_the_next_choice(tmp_path):
    yaml = two_classes(patience=", patience: {dist: constant, value: 3}")
    trace = "time,cls\n0,long\n0,long\n1,long\n2,short\n5.5,long\n"
    rec = run_text(tmp_path, yaml, trace)
    assert visits(rec) == [
        (0, "s", 540.0, 540.0, 570.0, "SERVED"),
        (1, "s", 540.0, 540.0, 570.0, "SERVED"),
        (2, "s", 541.0, 570.0, 600.0, "SERVED"),
        (3, "s", 542.0, None, None, "ABANDONED"),  # at counter 1's line, gives up at 09:05
        # counter 1's line is empty again: 1 customer there against 2 at counter 0
        (4, "s", 545.5, 570.0, 600.0, "SERVED"),
    ]
    assert rec.visits["counter"].tolist() == [0, 1, 0, -1, 1]
    assert rec.customers["departure_min"].tolist() == [570.0, 570.0, 600.0, 545.0, 600.0]
    lv = levels(rec, "s")
    assert (545.0, 1, 2, 2) in lv and (545.5, 2, 2, 2) in lv and lv[-1] == (600.0, 0, 0, 2)


def test_waiting_room_counts_every_line(tmp_path):
    rec = run_text(tmp_path, two_classes(room=", waiting_room: 1"),
                   "time,cls\n0,long\n0,long\n1,short\n2,short\n31,short\n")
    # customer 3 is turned away: one waiting in all (room full) and the line it would choose
    # (counter 1) has a customer in service; at 09:31 counter 1 is idle again
    assert [v[-1] for v in visits(rec)] == ["SERVED", "SERVED", "SERVED", "BLOCKED", "SERVED"]
    assert [v[3] for v in visits(rec)] == [540.0, 540.0, 570.0, None, 571.0]
    assert rec.visits["counter"].tolist() == [0, 1, 0, -1, 1]


def test_waiting_room_of_zero_is_a_loss_system(tmp_path):
    rec = run_text(tmp_path, two_classes(room=", waiting_room: 0"),
                   "time,cls\n0,long\n0,short\n1,short\n6,short\n")
    assert [v[-1] for v in visits(rec)] == ["SERVED", "SERVED", "BLOCKED", "SERVED"]
    assert max(q for _, q, _, _ in levels(rec, "s")) == 0
    shared = run_text(tmp_path, two_classes(line="single", room=", waiting_room: 0"),
                      "time,cls\n0,long\n0,short\n1,short\n6,short\n")
    assert [v[-1] for v in visits(shared)] == ["SERVED", "SERVED", "BLOCKED", "SERVED"]


STAFFED = """
name: per counter, staffed
clock: {{open: "09:00", close: "{close}"}}
customer_classes: {{c: {{pathway: p}}}}
arrivals: {{log: {{trace: trace.csv}}}}
stations:
  s: {{counters: 2, staff: clerks, line: per_counter,
      service: {{dist: constant, value: {service}}}}}
staff:
  clerks:
    shifts:
{shifts}
pathways: {{p: [s]}}
"""


def staffed(shifts: list[str], close: str = "10:00", service: float = 20) -> str:
    return STAFFED.format(close=close, service=service,
                          shifts="\n".join(f"      - {s}" for s in shifts))


def test_a_closing_counter_moves_its_line_to_the_open_one(tmp_path):
    yaml = staffed(['{start: "09:00", end: "09:30", count: 1}',
                    '{start: "09:00", end: "10:00", count: 1}'])
    rec = run_text(tmp_path, yaml, "time\n09:00\n09:00\n09:05\n09:06\n09:07\n")
    assert visits(rec) == [
        (0, "s", 540.0, 540.0, 560.0, "SERVED"),
        (1, "s", 540.0, 540.0, 560.0, "SERVED"),
        (2, "s", 545.0, 560.0, 580.0, "SERVED"),
        (3, "s", 546.0, 560.0, 580.0, "SERVED"),
        # waits in counter 0's line; the clerk there leaves at 09:40 (owed since 09:30) and
        # the customer moves to counter 1, served when its service ends at once
        (4, "s", 547.0, 580.0, 600.0, "SERVED"),
    ]
    assert rec.visits["counter"].tolist() == [0, 1, 0, 1, 1]
    assert staff_rows(rec) == [(0, "SHIFT_END", 570.0, 580.0, 10.0),
                               (1, "SHIFT_END", 600.0, 600.0, 0.0)]
    lv = levels(rec, "s")
    assert (547.0, 3, 2, 2) in lv and (580.0, 0, 1, 1) in lv and lv[-1] == (600.0, 0, 0, 0)
    assert min(q for _, q, _, _ in lv) == 0


def test_customers_held_while_no_counter_is_open_are_shared_out(tmp_path):
    yaml = staffed(['{start: "09:10", end: "10:00", count: 1}',
                    '{start: "09:12", end: "10:00", count: 1}'], service=5)
    rec = run_text(tmp_path, yaml, "time\n09:00\n09:01\n09:02\n09:13\n")
    assert visits(rec) == [
        (0, "s", 540.0, 550.0, 555.0, "SERVED"),
        # held, then put in the only open line at 09:10; nobody switches when counter 1 opens
        (1, "s", 541.0, 555.0, 560.0, "SERVED"),
        (2, "s", 542.0, 560.0, 565.0, "SERVED"),
        (3, "s", 553.0, 553.0, 558.0, "SERVED"),  # counter 1 is idle with an empty line
    ]
    assert rec.visits["counter"].tolist() == [0, 0, 0, 1]
    assert rec.visits["queue_on_join"].tolist() == [0, 1, 2, 0]  # the holding line
    lv = levels(rec, "s")
    assert lv[:4] == [(540.0, 1, 0, 0), (541.0, 2, 0, 0), (542.0, 3, 0, 0), (550.0, 2, 1, 1)]


def test_a_break_closes_a_counter_and_its_line_moves(tmp_path):
    yaml = staffed(['{start: "09:00", end: "10:00", count: 2, '
                    'breaks: [{start: "09:15", minutes: 20, stagger_groups: 2}]}'],
                   service=10)
    rec = run_text(tmp_path, yaml, "time\n09:00\n09:00\n09:01\n09:02\n09:03\n")
    # slot 0 goes on break at 09:15 (owed: busy until 09:20), slot 1 at 09:35
    assert visits(rec) == [
        (0, "s", 540.0, 540.0, 550.0, "SERVED"),
        (1, "s", 540.0, 540.0, 550.0, "SERVED"),
        (2, "s", 541.0, 550.0, 560.0, "SERVED"),
        (3, "s", 542.0, 550.0, 560.0, "SERVED"),
        # in counter 0's line; the clerk there leaves for the break at 09:20 and the customer
        # moves to counter 1, whose service ends at the same instant
        (4, "s", 543.0, 560.0, 570.0, "SERVED"),
    ]
    assert rec.visits["counter"].tolist() == [0, 1, 0, 1, 1]
    assert staff_rows(rec) == [(0, "BREAK", 555.0, 560.0, 5.0),
                               (0, "SHIFT_END", 600.0, 600.0, 0.0),
                               (1, "BREAK", 575.0, 575.0, 0.0),
                               (1, "SHIFT_END", 600.0, 600.0, 0.0)]
    lv = levels(rec, "s")
    assert (560.0, 0, 1, 1) in lv and (580.0, 0, 0, 1) in lv


def test_idle_colleague_leaves_in_place_of_a_busy_one(tmp_path):
    yaml = staffed(['{start: "09:00", end: "09:30", count: 1}',
                    '{start: "09:00", end: "10:00", count: 1}'], service=60)
    yaml = yaml.replace("line: per_counter, ", "")
    rec = run_text(tmp_path, yaml, "time\n09:00\n09:40\n")
    # at 09:30 the clerk due off is serving; the idle one leaves at once under her slot, and
    # the server stays on under slot 1, until the hall is empty after the close
    assert staff_rows(rec) == [(0, "SHIFT_END", 570.0, 570.0, 0.0),
                               (1, "SHIFT_END", 600.0, 660.0, 60.0)]
    assert visits(rec) == [(0, "s", 540.0, 540.0, 600.0, "SERVED"),
                           (1, "s", 580.0, 600.0, 660.0, "SERVED")]
    assert rec.visits["staff_id"].tolist() == [0, 1]
    assert rec.visits["counter"].tolist() == [0, 0]
    lv = levels(rec, "s")
    assert (570.0, 0, 1, 1) in lv and (580.0, 1, 1, 1) in lv


def test_spare_goes_on_break_in_place_of_the_busy_clerk(tmp_path):
    yaml = """
    name: spare
    clock: {open: "09:00", close: "10:00"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      s: {counters: 1, staff: clerks, service: {dist: constant, value: 20}}
    staff:
      clerks:
        shifts:
          - {start: "09:00", end: "10:00", count: 1, breaks: [{start: "09:30", minutes: 15}]}
          - {start: "09:00", end: "10:00", count: 1}
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time\n09:20\n09:42\n")
    # two clerks, one counter: slot 1 is a spare; at 09:30 the spare takes slot 0's break
    # while the clerk at the counter carries on (now under slot 1); both shifts end at the
    # close, so both stay until the last customer leaves at 10:02
    assert staff_rows(rec) == [(0, "BREAK", 570.0, 570.0, 0.0),
                               (0, "SHIFT_END", 600.0, 602.0, 2.0),
                               (1, "SHIFT_END", 600.0, 602.0, 2.0)]
    assert visits(rec) == [(0, "s", 560.0, 560.0, 580.0, "SERVED"),
                           (1, "s", 582.0, 582.0, 602.0, "SERVED")]
    assert rec.visits["staff_id"].tolist() == [0, 1]
    lv = levels(rec, "s")
    assert lv[0] == (540.0, 0, 0, 2) and (570.0, 0, 1, 1) in lv and (585.0, 0, 1, 2) in lv


def test_spare_takes_over_a_counter_its_clerk_leaves(tmp_path):
    yaml = """
    name: spare takes over
    clock: {open: "09:00", close: "10:00"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      s: {counters: 1, staff: clerks, line: per_counter,
          service: {dist: constant, value: 20}}
    staff:
      clerks:
        shifts:
          - {start: "09:00", end: "09:30", count: 1}
          - {start: "09:10", end: "10:00", count: 1}
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time\n09:15\n09:20\n09:25\n")
    # slot 0 is busy at 09:30; the spare (slot 1) leaves in its place; slot 0's person
    # carries on as slot 1
    assert staff_rows(rec) == [(0, "SHIFT_END", 570.0, 570.0, 0.0),
                               (1, "SHIFT_END", 600.0, 615.0, 15.0)]
    assert visits(rec) == [(0, "s", 555.0, 555.0, 575.0, "SERVED"),
                           (1, "s", 560.0, 575.0, 595.0, "SERVED"),
                           (2, "s", 565.0, 595.0, 615.0, "SERVED")]
    assert rec.visits["staff_id"].tolist() == [0, 1, 1]


def test_waiting_room_while_a_departure_is_owed(tmp_path):
    yaml = """
    name: owed
    clock: {open: "09:00", close: "10:00"}
    customer_classes: {c: {pathway: p}}
    arrivals: {log: {trace: trace.csv}}
    stations:
      s: {counters: 2, staff: clerks, waiting_room: 1, service: {dist: constant, value: 20}}
    staff:
      clerks:
        shifts:
          - {start: "09:00", end: "09:30", count: 1}
          - {start: "09:00", end: "10:00", count: 1}
    pathways: {p: [s]}
    """
    rec = run_text(tmp_path, yaml, "time\n09:15\n09:20\n09:31\n09:32\n09:41\n")
    # from 09:30 slot 0 is owed a departure (busy until 09:35), so no counter can take an
    # arrival: the 09:31 arrival takes the one place in the waiting room, the 09:32 arrival
    # is turned away; counter 0 closes at 09:35, and the 09:41 arrival waits for counter 1
    assert [v[-1] for v in visits(rec)] == ["SERVED", "SERVED", "SERVED", "BLOCKED", "SERVED"]
    assert [v[3] for v in visits(rec)] == [555.0, 560.0, 580.0, None, 600.0]
    assert staff_rows(rec) == [(0, "SHIFT_END", 570.0, 575.0, 5.0),
                               (1, "SHIFT_END", 600.0, 620.0, 20.0)]
