"""The studio under /admin, for campaign staff: sign-in, staff accounts, the campaign pages
(editor, versions, import/export, preview, sharing), the directory and the results."""
