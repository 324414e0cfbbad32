"""Staff: software products, versions and their lifecycle, release files, organizations' licences, the download log."""

import reflex as rx

from opsportal import routes
from opsportal.components.backend import backend_link
from opsportal.components.forms import SELECT_STYLE
from opsportal.components.layout import app_shell, error_callout
from opsportal.components.tables import hidden_caption, secondary_cell, secondary_header
from opsportal.settings import get_settings
from opsportal.state.staff_products import KINDS
from opsportal.state.staff_products import StaffProductsState as S

MUTED = rx.color("gray", 11)
UPLOAD_ID = "release-file"


def _label(text: str, control_id: str) -> rx.Component:
    return rx.el.label(text, html_for=control_id, font_size="0.875rem", font_weight="500")


def _input(label: str, control_id: str, name: str, **props) -> rx.Component:
    return rx.vstack(_label(label, control_id), rx.input(id=control_id, name=name, width="100%", **props),
                     spacing="1", width="100%")


def _select(label: str, control_id: str, name: str, options, **props) -> rx.Component:
    return rx.vstack(_label(label, control_id), rx.el.select(*options, id=control_id, name=name, style=SELECT_STYLE,
                                                             **props), spacing="1", width="100%")


def _version_options():
    return [rx.el.option("Choose…", value=""), rx.foreach(S.versions, lambda v: rx.el.option(v["label"],
                                                                                          value=v["id"]))]


def _form_error(which: str) -> rx.Component:
    return rx.cond(S.errors.contains(which),
                   rx.callout(S.errors[which], icon="triangle-alert", color_scheme="red", role="alert", width="100%",
                              id=f"{which}-error"))


def _status(row: rx.Var) -> rx.Component:
    return rx.badge(row["status"], color_scheme=row["color"], variant="soft", high_contrast=True)


def _delete_button(kind: str, row_id: rx.Var, label: rx.Var, handler) -> rx.Component:
    """Deletes on the second click: the first turns it into "Confirm delete"."""
    asking = S.confirming == kind + ":" + row_id
    return rx.button(rx.cond(asking, "Confirm delete", "Delete"), size="1", variant=rx.cond(asking, "solid", "soft"),
                     color_scheme="red", on_click=handler(row_id), aria_label="Delete " + label,
                     class_name="delete-" + kind)


def _products_table() -> rx.Component:
    return rx.box(rx.table.root(
        hidden_caption("Every product"),
        rx.table.header(rx.table.row(rx.table.column_header_cell("Product"), secondary_header("Description"),
                                     rx.table.column_header_cell("Delete"))),
        rx.table.body(rx.foreach(S.products, lambda p: rx.table.row(
            rx.table.row_header_cell(p["name"]), secondary_cell(p["description"]),
            rx.table.cell(_delete_button("product", p["id"], p["name"], S.delete_product))))),
        width="100%", id="catalog-products",
    ), overflow_x="auto", width="100%")


def _rename_forms() -> rx.Component:
    return rx.grid(
        rx.form(rx.vstack(
            rx.heading("Rename a product", size="3", as_="h3"),
            _select("Product", "rename-product", "product",
                    [rx.el.option("Choose…", value=""),
                     rx.foreach(S.products, lambda p: rx.el.option(p["name"], value=p["id"]))]),
            _input("New name", "rename-product-name", "name"),
            _form_error("rename_product"),
            rx.button("Rename product", type="submit"),
            spacing="2", width="100%"), on_submit=S.rename_product, key="rename-product-" + S.form_key.to_string(),
            id="rename-product-form"),
        rx.form(rx.vstack(
            rx.heading("Rename a version", size="3", as_="h3"),
            _select("Version", "rename-version", "version", _version_options()),
            _input("New version number", "rename-version-number", "number", placeholder="e.g. 5.4 LTS"),
            rx.text("Extended-Terms naming the version follow the new name.", size="1", color=MUTED),
            _form_error("rename_version"),
            rx.button("Rename version", type="submit"),
            spacing="2", width="100%"), on_submit=S.rename_version, key="rename-version-" + S.form_key.to_string(),
            id="rename-version-form"),
        columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
    )


def _catalog() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Products and versions", size="4", as_="h2"),
        rx.box(rx.table.root(
            hidden_caption("Every product version and its lifecycle days"),
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Version"), rx.table.column_header_cell("Lifecycle today"),
                secondary_header("Generally available"), secondary_header("Sunset"),
                secondary_header("End of life"), rx.table.column_header_cell("Delete"))),
            rx.table.body(rx.foreach(S.versions, lambda v: rx.table.row(
                rx.table.row_header_cell(v["label"]), rx.table.cell(_status(v)), secondary_cell(v["ga"]),
                secondary_cell(v["sunset"]), secondary_cell(v["eol"]),
                rx.table.cell(_delete_button("version", v["id"], v["label"], S.delete_version))))),
            width="100%", id="catalog-versions",
        ), overflow_x="auto", width="100%"),
        _form_error("versions"),
        _products_table(),
        _form_error("products"),
        rx.grid(
            rx.form(rx.vstack(
                rx.heading("New product", size="3", as_="h3"),
                _input("Name", "product-name", "name", required=True),
                _input("Description", "product-description", "description"),
                _form_error("product"),
                rx.button("Add product", type="submit"),
                spacing="2", width="100%"), on_submit=S.add_product, reset_on_submit=False,
                key="product-" + S.form_key.to_string(), id="product-form"),
            rx.form(rx.vstack(
                rx.heading("New version", size="3", as_="h3"),
                _select("Product", "version-product", "product",
                        [rx.el.option("Choose…", value=""),
                         rx.foreach(S.products, lambda p: rx.el.option(p["name"], value=p["id"]))]),
                _input("Version number", "version-number", "number", placeholder="e.g. 5.5"),
                _input("Generally available", "version-ga", "ga", type="date"),
                _input("Sunset (optional)", "version-sunset", "sunset", type="date"),
                _input("End of life (optional)", "version-eol", "eol", type="date"),
                _form_error("version"),
                rx.button("Add version", type="submit"),
                spacing="2", width="100%"), on_submit=S.add_version, key="version-" + S.form_key.to_string(),
                id="version-form"),
            rx.form(rx.vstack(
                rx.heading("Change a lifecycle", size="3", as_="h3"),
                _select("Version", "lifecycle-version", "version", _version_options()),
                _input("Generally available", "lifecycle-ga", "ga", type="date"),
                _input("Sunset", "lifecycle-sunset", "sunset", type="date"),
                _input("End of life", "lifecycle-eol", "eol", type="date"),
                _form_error("lifecycle"),
                rx.button("Save lifecycle", type="submit"),
                spacing="2", width="100%"), on_submit=S.set_lifecycle, key="lifecycle-" + S.form_key.to_string(),
                id="lifecycle-form"),
            columns=rx.breakpoints(initial="1", md="3"), spacing="4", width="100%",
        ),
        _rename_forms(),
        spacing="3", width="100%",
    ), width="100%")


def _edit_release(r: rx.Var) -> rx.Component:
    return rx.form(rx.vstack(
        rx.heading("Edit ", r["title"], size="3", as_="h3"),
        rx.grid(
            _select("Kind", "edit-release-kind", "kind", [rx.el.option(k["label"], value=k["value"]) for k in KINDS],
                    default_value=r["kind_value"]),
            _input("Title", "edit-release-title", "title", default_value=r["title"]),
            _input("Released on", "edit-release-day", "released_on", type="date", default_value=r["released_input"]),
            columns=rx.breakpoints(initial="1", md="3"), spacing="3", width="100%"),
        rx.vstack(_label("Release notes", "edit-release-notes"),
                  rx.text_area(id="edit-release-notes", name="notes", width="100%", rows="3",
                               default_value=r["notes"]), spacing="1", width="100%"),
        _form_error("edit_release"),
        rx.hstack(rx.button("Save release", type="submit"),
                  rx.button("Cancel", type="button", variant="soft", on_click=S.cancel_edit_release), spacing="2"),
        spacing="2", width="100%"), on_submit=S.edit_release, key="edit-release-" + r["id"], id="edit-release-form",
        width="100%")


def _picker(limit: int) -> rx.Component:
    picker = rx.upload(rx.text("Choose the release file or drop it here", size="2"), id=UPLOAD_ID, multiple=False,
                       max_files=1, max_size=limit, on_drop_rejected=S.upload_refused, role="button",
                       aria_label="Release file", border=f"1px dashed {rx.color('gray', 8)}", padding="0.75rem 1rem",
                       border_radius="0.5rem", width="100%", custom_attrs={"id": "release-file-picker"})
    # The dropzone's own file input (the keyboard's and screen readers' way in) is named too.
    picker.children[0].children[0].custom_attrs.update({"aria-label": "Release file"})
    return picker


def _releases() -> rx.Component:
    limit = get_settings().release_max_bytes
    chosen = rx.selected_files(UPLOAD_ID)
    return rx.card(rx.vstack(
        rx.heading("Releases", size="4", as_="h2"),
        rx.box(rx.table.root(
            hidden_caption("Release files, newest first"),
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Release"), rx.table.column_header_cell("Version"),
                secondary_header("Kind"), secondary_header("Released"), secondary_header("Size"),
                secondary_header("SHA-256"), rx.table.column_header_cell("Change"))),
            rx.table.body(rx.foreach(S.releases, lambda r: rx.table.row(
                rx.table.row_header_cell(backend_link(r["title"], path=r["href"])),
                rx.table.cell(r["version"]), secondary_cell(r["kind"]), secondary_cell(r["released"]),
                secondary_cell(r["size"]), secondary_cell(rx.code(r["sha256"], word_break="break-all",
                                                                  font_size="0.7rem")),
                rx.table.cell(rx.hstack(
                    rx.button("Edit", size="1", variant="soft", on_click=S.start_edit_release(r["id"]),
                              aria_label="Edit " + r["title"], class_name="edit-release"),
                    _delete_button("release", r["id"], r["title"], S.delete_release), spacing="2"))))),
            width="100%", id="catalog-releases",
        ), overflow_x="auto", width="100%"),
        _form_error("releases"),
        rx.foreach(S.releases, lambda r: rx.cond(S.editing_release == r["id"], _edit_release(r))),
        rx.cond(S.release_pages > 1, rx.hstack(
            rx.button("Previous", on_click=S.releases_to(S.release_page - 1), disabled=S.release_page <= 1,
                      variant="soft", aria_label="Previous releases"),
            rx.text("Page ", S.release_page, " of ", S.release_pages, size="2"),
            rx.button("Next", on_click=S.releases_to(S.release_page + 1),
                      disabled=S.release_page >= S.release_pages, variant="soft", aria_label="Next releases"),
            spacing="3", align="center")),
        rx.form(rx.vstack(
            rx.heading("Upload a release", size="3", as_="h3"),
            rx.grid(
                _select("Version", "release-version", "version", _version_options()),
                _select("Kind", "release-kind", "kind", [rx.el.option(k["label"], value=k["value"]) for k in KINDS]),
                _input("Title", "release-title", "title", placeholder="e.g. Hotfix 5.4.1.3"),
                _input("Released on", "release-day", "released_on", type="date"),
                columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
            rx.vstack(_label("Release notes", "release-notes"),
                      rx.text_area(id="release-notes", name="notes", width="100%", rows="3"), spacing="1",
                      width="100%"),
            _picker(limit),
            rx.foreach(chosen, lambda name: rx.text(name, size="2", class_name="release-chosen")),
            _form_error("release"),
            rx.button("Upload release", type="submit", id="release-submit"),
            spacing="2", width="100%"),
            on_submit=lambda form: S.upload_release(form, rx.upload_files(upload_id=UPLOAD_ID)),
            key="release-" + S.form_key.to_string(), id="release-form"),
        spacing="3", width="100%",
    ), width="100%")


def _licences() -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading("Licences and downloads", size="4", as_="h2"),
        rx.box(_select("Organization", "licence-org", "org",
                       [rx.foreach(S.organizations, lambda o: rx.el.option(o["name"], value=o["id"]))],
                       value=S.org_id, on_change=S.choose_org), max_width="22rem", width="100%"),
        rx.box(rx.table.root(
            hidden_caption("The organization's licences"),
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Version in use"), rx.table.column_header_cell("Lifecycle"),
                secondary_header("Region"), secondary_header("Licences"), secondary_header("Bought"),
                rx.table.column_header_cell("Remove"))),
            rx.table.body(rx.foreach(S.licences, lambda lic: rx.table.row(
                rx.table.row_header_cell(lic["label"]), rx.table.cell(_status(lic)),
                secondary_cell(lic["region"]), secondary_cell(lic["quantity"]), secondary_cell(lic["purchased"]),
                rx.table.cell(rx.button("Remove", size="1", variant="soft", color_scheme="red",
                                        on_click=S.remove_licence(lic["id"]),
                                        aria_label="Remove the licence of " + lic["label"]))))),
            width="100%", id="org-licences",
        ), overflow_x="auto", width="100%"),
        rx.form(rx.vstack(
            rx.heading("Record a licence", size="3", as_="h3"),
            rx.grid(
                _select("Version in use", "licence-version", "version", _version_options()),
                _select("Region of purchase", "licence-region", "region",
                        [rx.foreach(S.regions, lambda r: rx.el.option(r, value=r))]),
                _input("Licences", "licence-quantity", "quantity", type="number", min="1", default_value="1"),
                _input("Bought on", "licence-day", "purchased_on", type="date"),
                _input("Note", "licence-note", "note"),
                columns=rx.breakpoints(initial="1", md="3"), spacing="3", width="100%"),
            _form_error("licence"),
            rx.button("Record licence", type="submit"),
            spacing="2", width="100%"), on_submit=S.add_licence, key="licence-" + S.form_key.to_string(),
            id="licence-form"),
        rx.heading("Download log", size="3", as_="h3"),
        rx.text(S.log_total, " downloads by this organization's users, newest first.", size="2", color=MUTED),
        rx.box(rx.table.root(
            hidden_caption("Who downloaded which release, when"),
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("When"), rx.table.column_header_cell("Who"),
                rx.table.column_header_cell("Release"), secondary_header("E-mail"))),
            rx.table.body(rx.foreach(S.log, lambda d: rx.table.row(
                rx.table.cell(d["at"], white_space="nowrap"), rx.table.row_header_cell(d["user"]),
                rx.table.cell(d["release"]), secondary_cell(d["email"])))),
            width="100%", id="download-log",
        ), overflow_x="auto", width="100%"),
        rx.cond(S.log_pages > 1, rx.hstack(
            rx.button("Previous", on_click=S.log_to(S.log_page - 1), disabled=S.log_page <= 1, variant="soft",
                      aria_label="Previous downloads"),
            rx.text("Page ", S.log_page, " of ", S.log_pages, size="2"),
            rx.button("Next", on_click=S.log_to(S.log_page + 1), disabled=S.log_page >= S.log_pages,
                      variant="soft", aria_label="Next downloads"),
            spacing="3", align="center")),
        spacing="3", width="100%",
    ), width="100%")


@rx.page(route=routes.STAFF_PRODUCTS, title="Products · OpsPortal", on_load=S.load)
def staff_products_page() -> rx.Component:
    return app_shell(
        "Products and downloads",
        error_callout(S.denied),
        rx.cond(S.allowed, rx.vstack(
            rx.text("Customers download the releases of the products they hold licences of while Gold Support is "
                    "active; versions past end of life need an Extended-Term naming them (Plans).", size="2",
                    color=MUTED),
            rx.cond(S.notice != "", rx.callout(S.notice, icon="check", color_scheme="green", role="status",
                                               width="100%", id="products-notice")),
            _catalog(), _releases(), _licences(),
            spacing="4", width="100%")),
    )
