"""The record of the byte ranges a partial download holds."""
import json

from ltx23_aio.model_store import ranges


def test_ranges_merge_and_report_holes():
    done = ranges.RangeSet(100, [(10, 20), (30, 40)])
    done.add(20, 30)
    done.add(0, 5)
    assert done.to_list() == [[0, 5], [10, 40]]
    assert (done.total, done.prefix, done.holes()) == (35, 5, [(5, 10), (40, 100)])
    done.add(90, 500)  # clipped to the size
    assert done.holes() == [(5, 10), (40, 90)]


def test_ranges_round_trip_through_the_sidecar(tmp_path):
    partial = tmp_path / "x.ltx23aio-partial"
    partial.write_bytes(b"\0" * 100)
    ranges.save(partial, ranges.RangeSet(100, [(0, 10), (50, 60)]))
    assert ranges.load(partial, 100).to_list() == [[0, 10], [50, 60]]
    assert sorted(tmp_path.iterdir()) == sorted([partial, ranges.sidecar_path(partial)])  # no temporary left


def test_ranges_trust_nothing_that_does_not_fit(tmp_path):
    partial = tmp_path / "x.ltx23aio-partial"
    sidecar = ranges.sidecar_path(partial)
    sidecar.write_text(json.dumps({"size": 100, "done": [[0, 50]]}))
    assert ranges.load(partial, 100).total == 0  # no partial file
    partial.write_bytes(b"\0" * 30)
    assert ranges.load(partial, 100).to_list() == [[0, 30]]  # cut short since: only what is there
    assert ranges.load(partial, 200).total == 0  # recorded for another size
    for bad in ("{not json", '{"size": 100, "done": [[50, 10]]}', '{"size": 100, "done": [[0, 500]]}', "[]"):
        sidecar.write_text(bad)
        assert ranges.load(partial, 100).total == 0, bad
    ranges.discard(partial)
    assert list(tmp_path.iterdir()) == []
