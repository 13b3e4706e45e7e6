;;; e2e.el --- Batch-mode end-to-end test of editors/emacs/verbatim.el  -*- lexical-binding: t; -*-

;; Run by editors/emacs/test/run.sh, which copies the demo workspace to a temp dir:
;;   VERBATIM_BIN=... VERBATIM_DEMO=<copy of fixtures/demo> emacs --batch -Q -l verbatim.el -l e2e.el
;;
;; Opens every draft of the demo workspace through `verbatim-setup' (mode hook -> root detection ->
;; eglot), then checks: diagnostics arrive with source "verbatim", a known code, the default
;; severity and a range covering the quoted words between the quote marks; Flymake shows them; a
;; drift quote has a hover, a definition under sources/, and a "Replace with source wording"
;; action that, applied through `eglot-execute', makes it verify; "Ignore this quote" silences a quote.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'flymake)
(require 'verbatim)

(defvar verbatim-test--passed 0)
(defvar verbatim-test--failed 0)
(defvar verbatim-test--published (make-hash-table :test #'equal)
  "URI -> (COUNT . DIAGNOSTICS) for every publishDiagnostics, before Eglot converts it.")

(defun verbatim-test--say (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n")))

(defun verbatim-test--check (ok what &optional detail)
  (if ok
      (progn (cl-incf verbatim-test--passed) (verbatim-test--say "ok - %s" what))
    (cl-incf verbatim-test--failed)
    (verbatim-test--say "not ok - %s%s" what (if detail (format ": %S" detail) "")))
  ok)

(defun verbatim-test--require (ok what &optional detail)
  "Like `verbatim-test--check', but a failure stops the test."
  (unless (verbatim-test--check ok what detail)
    (throw 'verbatim-test--abort nil)))

(defun verbatim-test--finish ()
  (verbatim-test--say "# emacs e2e: Emacs %s, built-in Eglot" emacs-version)
  (verbatim-test--say "emacs: %d passed, %d failed" verbatim-test--passed verbatim-test--failed)
  (let ((inhibit-message t))
    (dolist (server (ignore-errors (cl-loop for servers being the hash-values of eglot--servers-by-project
                                            append servers)))
      (ignore-errors (eglot-shutdown server nil 5))))
  (kill-emacs (if (and (zerop verbatim-test--failed) (> verbatim-test--passed 0)) 0 1)))

(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql textDocument/publishDiagnostics)) &key uri diagnostics &allow-other-keys)
  (let ((previous (gethash uri verbatim-test--published)))
    (puthash uri (cons (1+ (or (car previous) 0)) (append diagnostics nil)) verbatim-test--published)))

(defun verbatim-test--run-idle-timers ()
  "Run the pending idle timers, as an interactive Emacs would once the user stops typing.
Batch mode is never idle, and Eglot sends didChange from an idle timer."
  (dolist (timer (copy-sequence timer-idle-list))
    (when (memq timer timer-idle-list)
      (cancel-timer timer)
      (ignore-errors (apply (timer--function timer) (timer--args timer))))))

(defun verbatim-test--wait (predicate seconds)
  "Run timers and process output until PREDICATE holds or SECONDS pass."
  (let ((deadline (+ (float-time) seconds)) (ok nil))
    (while (and (not (setq ok (funcall predicate))) (< (float-time) deadline))
      (verbatim-test--run-idle-timers)
      (accept-process-output nil 0.05))
    ok))

(defun verbatim-test--uri (buffer)
  (with-current-buffer buffer (plist-get (eglot--TextDocumentIdentifier) :uri)))

(defun verbatim-test--count (uri)
  (or (car (gethash uri verbatim-test--published)) 0))

(defun verbatim-test--diagnostics (uri)
  (cdr (gethash uri verbatim-test--published)))

(defun verbatim-test--range-text (buffer range)
  "(TEXT BEFORE AFTER) of the LSP RANGE in BUFFER; BEFORE/AFTER are 3 chars either side."
  (with-current-buffer buffer
    (let* ((region (eglot-range-region range))
           (beg (car region)) (end (cdr region)))
      (list (buffer-substring-no-properties beg end)
            (buffer-substring-no-properties (max (point-min) (- beg 3)) beg)
            (buffer-substring-no-properties end (min (point-max) (+ end 3)))))))

(defun verbatim-test--before-or-at (a b)
  (let ((al (plist-get a :line)) (bl (plist-get b :line)))
    (or (< al bl) (and (= al bl) (<= (plist-get a :character) (plist-get b :character))))))

(defun verbatim-test--within (inner outer)
  (and (verbatim-test--before-or-at (plist-get outer :start) (plist-get inner :start))
       (verbatim-test--before-or-at (plist-get inner :end) (plist-get outer :end))))

(defun verbatim-test--same-start (a b)
  (equal (plist-get a :start) (plist-get b :start)))

(defun verbatim-test--request (buffer method params)
  (with-current-buffer buffer
    (condition-case err
        (jsonrpc-request (eglot--current-server-or-lose) method params :timeout 15)
      (error (list :error err)))))

(defun verbatim-test--find-action (actions needle)
  (cl-find-if (lambda (a) (string-match-p (regexp-quote needle) (downcase (or (plist-get a :title) ""))))
              (append actions nil)))

(defun verbatim-test--hover-text (contents)
  (cond ((stringp contents) contents)
        ((plist-get contents :value))
        ((vectorp contents)
         (mapconcat (lambda (c) (if (stringp c) c (or (plist-get c :value) ""))) contents "\n"))
        (t "")))

(defconst verbatim-test--severity '(("verified" . 4) ("drift" . 2) ("unsourced" . 3)))

(defun verbatim-test--main ()
  (let* ((bin (or (getenv "VERBATIM_BIN") (error "VERBATIM_BIN is not set")))
         (demo (file-name-as-directory (or (getenv "VERBATIM_DEMO") (error "VERBATIM_DEMO is not set"))))
         (first-timeout (/ (string-to-number (or (getenv "VERBATIM_TIMEOUT_MS") "60000")) 1000.0))
         (drafts (sort (append (file-expand-wildcards (concat demo "drafts/*.md"))
                               (file-expand-wildcards (concat demo "drafts/*.txt")))
                       #'string<))
         (all nil)
         (by-code (list (cons "verified" 0) (cons "drift" 0) (cons "unsourced" 0)))
         (total 0) (words-marked 0)
         bad-source bad-code bad-severity bad-range bad-related bad-word)
    (setq verbatim-program bin
          eglot-confirm-server-edits nil
          eglot-sync-connect 10
          eglot-events-buffer-config '(:size 0 :format full)
          eglot-autoshutdown nil)
    (verbatim-setup)

    ;; Root detection.
    (verbatim-test--check (equal (verbatim-find-root (concat demo "drafts/")) demo)
                          "root detection: a sources/ folder marks the root"
                          (verbatim-find-root (concat demo "drafts/")))
    (let ((other (file-name-as-directory (make-temp-file "verbatim-root" t))))
      (make-directory (concat other "sub/sources") t)
      (write-region "" nil (concat other "verbatim.toml"))
      (verbatim-test--check (equal (verbatim-find-root (concat other "sub/sources/x.md")) other)
                            "root detection: verbatim.toml wins over a nearer sources/ folder"))

    (verbatim-test--require drafts "the demo workspace has drafts" demo)
    (cl-loop
     for path in drafts for i from 0
     for name = (file-name-nondirectory path)
     for buffer = (find-file-noselect path)
     for uri = (verbatim-test--uri buffer)
     do
     (with-current-buffer buffer
       (verbatim-test--require (verbatim-buffer-p)
                               (format "%s is a draft (%s) below a root" name major-mode))
       ;; eglot-ensure connects from post-command-hook, which batch mode never runs by itself.
       (run-hooks 'post-command-hook)
       (verbatim-test--require (verbatim-test--wait (lambda () (with-current-buffer buffer eglot--managed-mode)) 15)
                               (format "eglot manages %s" name))
       (when (zerop i)
         (let ((server (eglot-current-server)))
           (verbatim-test--check (equal (file-name-as-directory (expand-file-name (project-root (eglot--project server)))) demo)
                                 "the server's project root is the demo workspace"
                                 (project-root (eglot--project server)))
           (verbatim-test--check (equal (car (process-command (jsonrpc--process server))) bin)
                                 "the server runs the verbatim binary" (process-command (jsonrpc--process server))))))
     (verbatim-test--require (verbatim-test--wait (lambda () (> (verbatim-test--count uri) 0))
                                                  (if (zerop i) first-timeout 15))
                             (format "diagnostics published for %s" name))
     (dolist (d (verbatim-test--diagnostics uri))
       (let* ((code (plist-get d :code))
              (range (plist-get d :range))
              (parts (verbatim-test--range-text buffer range))
              (text (nth 0 parts)) (before (nth 1 parts)) (after (nth 2 parts))
              (where (format "%s:%d:%d %S" name (1+ (plist-get (plist-get range :start) :line))
                             (1+ (plist-get (plist-get range :start) :character)) text)))
         (cl-incf total)
         (unless (equal (plist-get d :source) "verbatim") (push where bad-source))
         (cond
          ((equal code "drift-word")
           ;; A sub-diagnostic marking one differing run of words: a hint inside a drift quote.
           (cl-incf words-marked)
           (let ((inside (cl-some (lambda (q) (and (equal (plist-get q :code) "drift")
                                                   (verbatim-test--within range (plist-get q :range))))
                                  (verbatim-test--diagnostics uri))))
             (unless (and inside (eql (plist-get d :severity) 4))
               (push (format "%s severity=%S inside a drift=%S" where (plist-get d :severity) inside) bad-word))))
          ((member code '("uncredited" "misattributed"))
           ;; Copying outside quote marks, or a quote's speaker: not a quote's range; it still names its source.
           (unless (string-match-p "/sources/" (or (plist-get (plist-get d :data) :source_uri) ""))
             (push (format "%s %s" where code) bad-related)))
          ((not (assoc code by-code))
           (push (format "%s code=%S" where code) bad-code))
          (t
           (push (list :buffer buffer :uri uri :diagnostic d :text text) all)
           (cl-incf (cdr (assoc code by-code)))
           (unless (eql (plist-get d :severity) (cdr (assoc code verbatim-test--severity)))
             (push (format "%s %s severity=%S" where code (plist-get d :severity)) bad-severity))
           (unless (equal code "unsourced")
             (let ((rel (and (plist-get d :relatedInformation) (aref (plist-get d :relatedInformation) 0))))
               ;; Eglot does not announce relatedInformation support, so the server may leave it out.
               (unless (and (or (null rel) (string-match-p "/sources/" (plist-get (plist-get rel :location) :uri)))
                            (string-match-p "/sources/" (or (plist-get (plist-get d :data) :source_uri) "")))
                 (push where bad-related))))
           ;; The range is the quoted words: the quote marks sit right outside it (punctuation may
           ;; stay outside too), except in block quotes.
           (let ((block (with-current-buffer buffer
                          (save-excursion (goto-char (car (eglot-range-region range)))
                                          (beginning-of-line) (looking-at-p "[ \t]*>")))))
             (unless (and (string-match-p "[[:alnum:]]" text)
                          (not (string-match-p "\\`[[:space:]]\\|[[:space:]]\\'" text))
                          (or block
                              (and (string-match-p "[\"“‘'«„‹]\\'" before)
                                   (string-match-p "\\`[.,;:!?…]*[\"”’'»“›]" after))))
               (push (format "%s before=%S after=%S" where before after) bad-range))))))))

    (setq all (nreverse all))
    (verbatim-test--check all "the demo drafts have diagnostics")
    (verbatim-test--check (null bad-source) "every diagnostic has source \"verbatim\"" bad-source)
    (verbatim-test--check (null bad-code) "every diagnostic code is verified, drift or unsourced" bad-code)
    (verbatim-test--check (null bad-severity)
                          "severities are the defaults (verified hint, drift warning, unsourced information)" bad-severity)
    (verbatim-test--check (null bad-range) "every range covers the quoted words between the quote marks" bad-range)
    (verbatim-test--check (null bad-related)
                          "verified and drift diagnostics point at a source under sources/ (data.source_uri)"
                          bad-related)
    (verbatim-test--check (null bad-word) "drift-word hints lie inside a drift quote" bad-word)
    (dolist (code '("verified" "drift" "unsourced"))
      (verbatim-test--check (> (cdr (assoc code by-code)) 0) (format "the demo has %s quotes" code) by-code))
    (verbatim-test--say "# verdicts: %S; %d drift-word hints" by-code words-marked)

    ;; Flymake shows them (Eglot's backend reports once Flymake has started it).
    (let ((shown 0) (buffers (delete-dups (mapcar (lambda (e) (plist-get e :buffer)) all))))
      (ignore total)
      (dolist (b buffers) (with-current-buffer b (flymake-start)))
      (verbatim-test--wait
       (lambda ()
         (setq shown (cl-loop for b in buffers sum (with-current-buffer b (length (flymake-diagnostics)))))
         (= shown total))
       10)
      (verbatim-test--check (= shown total) "Flymake shows every published diagnostic"
                            (list :shown shown :published total)))

    (let* ((drift (cl-find-if (lambda (e) (equal (plist-get (plist-get e :diagnostic) :code) "drift")) all))
           (_ (verbatim-test--require drift "a drift quote to work on"))
           (buffer (plist-get drift :buffer))
           (uri (plist-get drift :uri))
           (d (plist-get drift :diagnostic))
           (range (plist-get d :range))
           (start (plist-get range :start))
           (inside (list :line (plist-get start :line) :character (1+ (plist-get start :character))))
           (doc (list :uri uri)))
      ;; Hover.
      (let* ((hover (verbatim-test--request buffer :textDocument/hover (list :textDocument doc :position inside)))
             (text (if (plist-get hover :contents) (verbatim-test--hover-text (plist-get hover :contents)) "")))
        (verbatim-test--check (> (length text) 0) "hover on a drift quote has contents" hover)
        (verbatim-test--check (string-match-p "drift" (downcase text)) "the hover names the verdict (drift)"
                              (substring text 0 (min 300 (length text)))))
      ;; Definition.
      (let* ((def (verbatim-test--request buffer :textDocument/definition (list :textDocument doc :position inside)))
             (loc (if (vectorp def) (and (> (length def) 0) (aref def 0)) def))
             (target (or (plist-get loc :uri) (plist-get loc :targetUri))))
        (verbatim-test--check (and (stringp target) (string-match-p "/sources/" target))
                              "definition on the quote goes to a source under sources/" def)
        ;; The source's side: references from the passage (Eglot declares textDocument/references, which
        ;; xref-find-references uses) include the drift quote, once the background scan has the drafts.
        (when (stringp target)
          (let* ((passage (or (plist-get loc :targetSelectionRange) (plist-get loc :range)))
                 (params (list :textDocument (list :uri target) :position (plist-get passage :start)
                               :context (list :includeDeclaration :json-false)))
                 (refs nil)
                 (found (verbatim-test--wait
                         (lambda ()
                           (setq refs (verbatim-test--request buffer :textDocument/references params))
                           (cl-some (lambda (r) (and (equal (plist-get r :uri) uri)
                                                     (equal (plist-get (plist-get (plist-get r :range) :start) :line)
                                                            (plist-get start :line))))
                                    (and (vectorp refs) (append refs nil))))
                         30)))
            (verbatim-test--check found "references from the source passage include the drift quote" refs))))
      ;; Code actions.
      (let* ((actions (verbatim-test--request buffer :textDocument/codeAction
                                              (list :textDocument doc :range range
                                                    :context (list :diagnostics (vector d)))))
             (titles (mapcar (lambda (a) (plist-get a :title)) (append (and (vectorp actions) actions) nil)))
             (replace (verbatim-test--find-action actions "replace with source wording")))
        (verbatim-test--check (and replace (or (plist-get replace :edit) (plist-get replace :data)))
                              "drift quote offers \"Replace with source wording\" with an edit" titles)
        (verbatim-test--check (verbatim-test--find-action actions "insert attribution")
                              "the quote offers \"Insert attribution\"")
        (verbatim-test--check (verbatim-test--find-action actions "ignore this quote")
                              "the quote offers \"Ignore this quote\"")
        (when replace
          (let ((count (verbatim-test--count uri)))
            (with-current-buffer buffer
              (eglot-execute (eglot--current-server-or-lose) replace))
            (verbatim-test--check (verbatim-test--wait (lambda () (> (verbatim-test--count uri) count)) 15)
                                  "diagnostics republished after the edit")
            (let ((verified (verbatim-test--wait
                             (lambda ()
                               (cl-some (lambda (nd) (and (verbatim-test--same-start (plist-get nd :range) range)
                                                          (equal (plist-get nd :code) "verified")))
                                        (verbatim-test--diagnostics uri)))
                             15)))
              (verbatim-test--check verified "after \"Replace with source wording\" the quote verifies"
                                    (mapcar (lambda (nd) (list (plist-get nd :code) (plist-get nd :range)))
                                            (verbatim-test--diagnostics uri))))
            (verbatim-test--check (not (equal (car (verbatim-test--range-text buffer range)) (plist-get drift :text)))
                                  "the quote's wording changed")))))

;; Settings pass through: severity.verified = "error" reaches the server and verified quotes come
    ;; back as errors.
    (let* ((first (car all)) (uri (plist-get first :uri)) (count (verbatim-test--count uri)))
      (setq verbatim-settings '(:severity (:verified "error")))
      (with-current-buffer (plist-get first :buffer) (verbatim-send-settings))
      (verbatim-test--check
       (verbatim-test--wait
        (lambda () (and (> (verbatim-test--count uri) count)
                        (cl-some (lambda (nd) (and (equal (plist-get nd :code) "verified")
                                                   (eql (plist-get nd :severity) 1)))
                                 (verbatim-test--diagnostics uri))))
        15)
       "settings pass through: severity.verified = \"error\" turns verified quotes into errors"))

    ;; "Ignore this quote" on an unsourced quote.
    (let ((unsourced (cl-find-if (lambda (e) (equal (plist-get (plist-get e :diagnostic) :code) "unsourced")) all)))
      (when unsourced
        (let* ((buffer (plist-get unsourced :buffer)) (uri (plist-get unsourced :uri))
               (fresh (cl-find-if (lambda (nd) (and (equal (plist-get nd :code) "unsourced")
                                                    (equal (car (verbatim-test--range-text buffer (plist-get nd :range)))
                                                           (plist-get unsourced :text))))
                                  (verbatim-test--diagnostics uri)))
               (count-unsourced (lambda () (cl-count-if (lambda (nd) (equal (plist-get nd :code) "unsourced"))
                                                        (verbatim-test--diagnostics uri)))))
          (when fresh
            (let* ((before (funcall count-unsourced))
                   (actions (verbatim-test--request buffer :textDocument/codeAction
                                                    (list :textDocument (list :uri uri) :range (plist-get fresh :range)
                                                          :context (list :diagnostics (vector fresh)))))
                   (ignore (verbatim-test--find-action actions "ignore this quote")))
              (verbatim-test--check ignore "unsourced quote offers \"Ignore this quote\"")
              (when ignore
                (with-current-buffer buffer
                  (eglot-execute (eglot--current-server-or-lose) ignore)
                  (verbatim-test--check (save-excursion (goto-char (point-min)) (search-forward "verbatim-ignore" nil t))
                                        "the edit inserts a verbatim-ignore comment"))
                (verbatim-test--check (verbatim-test--wait (lambda () (= (funcall count-unsourced) (1- before))) 15)
                                      "after \"Ignore this quote\" the quote has no diagnostic")))))))))

(run-at-time 300 nil (lambda ()
                       (verbatim-test--say "not ok - watchdog: the test took longer than 300 s")
                       (kill-emacs 1)))
(condition-case err
    (catch 'verbatim-test--abort
      (verbatim-test--main))
  (error (verbatim-test--check nil "lisp error" err)))
(verbatim-test--finish)

;;; e2e.el ends here
