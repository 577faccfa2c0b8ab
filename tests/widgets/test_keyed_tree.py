"""The keyed tree model changes only what changed: rows matched by key are updated in
place, new ones inserted and gone ones removed, so persistent indexes (selection,
expansion) survive; an index of a removed row finds nothing."""

from PySide6.QtCore import QModelIndex, QPersistentModelIndex

from widgets.keyed_tree import SEQ_ROLE, KeyedTreeModel, TreeRow


def tree(*parents):
    """("a", ["x", "y"]) -> a row "a" with children "x", "y"."""
    return [TreeRow(name, (name, f"{name}!"), seq=n,
                    children=[TreeRow(c, (c, "")) for c in kids])
            for n, (name, kids) in enumerate(parents)]


def names(model, parent=QModelIndex()):  # noqa: B008
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def watch(model):
    seen = []
    model.modelReset.connect(lambda: seen.append("reset"))
    model.rowsInserted.connect(lambda p, a, b: seen.append(("+", p.data(), a, b)))
    model.rowsRemoved.connect(lambda p, a, b: seen.append(("-", p.data(), a, b)))
    model.dataChanged.connect(lambda a, b: seen.append(("=", a.data())))
    return seen


def test_sync_inserts_updates_and_removes_only_what_changed(qtmodeltester):
    model = KeyedTreeModel(("Name", "Note"))
    qtmodeltester.check(model)
    model.sync(tree(("a", ["x"]), ("b", []), ("c", ["y"])))
    assert names(model) == ["a", "b", "c"] and names(model, model.index(0, 0)) == ["x"]
    kept = QPersistentModelIndex(model.index(0, 0, model.index(2, 0)))   # c > y
    seen = watch(model)
    changed = tree(("a", ["x", "z"]), ("c", ["y"]), ("d", []))
    changed[1].cells = ("c", "changed")
    model.sync(changed)
    assert names(model) == ["a", "c", "d"]
    assert names(model, model.index(0, 0)) == ["x", "z"]
    assert ("-", None, 1, 1) in seen and ("+", "a", 1, 1) in seen and ("+", None, 2, 2) in seen
    assert ("=", "c") in seen and "reset" not in seen
    assert kept.isValid() and kept.data() == "y" and kept.parent().data() == "c"
    assert model.index(1, 1).data() == "changed" and model.index(1, 0).data(SEQ_ROLE) == 1
    qtmodeltester.check(model)


def test_an_unchanged_tree_emits_nothing():
    model = KeyedTreeModel(("Name", "Note"))
    model.sync(tree(("a", ["x"]), ("b", [])))
    seen = watch(model)
    model.sync(tree(("a", ["x"]), ("b", [])))
    assert seen == []


def test_a_new_order_starts_that_level_afresh(qtmodeltester):
    model = KeyedTreeModel(("Name", "Note"))
    model.sync(tree(("a", []), ("b", []), ("c", [])))
    model.sync(tree(("c", []), ("a", []), ("b", [])))
    assert names(model) == ["c", "a", "b"]
    qtmodeltester.check(model)


def test_duplicate_keys_show_the_first_row_of_each():
    model = KeyedTreeModel(("Name",))
    model.sync([TreeRow("k", ("first",)), TreeRow("k", ("second",)), TreeRow("m", ("m",))])
    assert names(model) == ["first", "m"]


def test_an_index_of_a_removed_row_finds_nothing():
    model = KeyedTreeModel(("Name", "Note"))
    model.sync(tree(("a", ["x"])))
    old = model.index(0, 0, model.index(0, 0))
    model.sync(tree(("b", [])))
    assert model.row_at(old) is None and model.data(old) is None
    assert model.rowCount(old) == 0 and not model.parent(old).isValid()


def test_rows_are_found_by_their_key_path():
    model = KeyedTreeModel(("Name", "Note"))
    model.sync(tree(("a", ["x", "y"]), ("b", [])))
    assert model.index_of_key(["a", "y"]).data() == "y"
    assert model.index_of_key(["a", "y"], column=1).column() == 1
    assert not model.index_of_key(["b", "y"]).isValid()
