"""The secretariat's web page, ``attest serve``: Flask, Jinja2 templates, waitress.

The page calls the same functions as the command line (reports, the service layer); its own
modules only add what a web page needs: accounts and sessions (:mod:`.accounts`,
:mod:`.app`), files served by id (:mod:`.files`), uploads into the inbox (:mod:`.uploads`),
the lists it searches and pages through (:mod:`.queries`), and the server (:mod:`.server`).
"""
