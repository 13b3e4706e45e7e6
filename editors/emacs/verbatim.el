;;; verbatim.el --- Check quotations against their sources with Eglot  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; URL: https://github.com/OWNER/verbatim
;; Package-Requires: ((emacs "29.1"))
;; Keywords: languages, wp, tools
;; SPDX-License-Identifier: MIT OR Apache-2.0

;;; Commentary:

;; Starts the `verbatim lsp' language server with Eglot (built into Emacs >= 29) for Markdown and
;; plain-text drafts inside a verbatim workspace: the nearest folder holding `verbatim.toml', or
;; failing that the nearest folder holding a `sources/' folder.  The server checks every quotation
;; in the draft against the source articles and reports verified / drift / unsourced quotes as
;; Flymake diagnostics, with hovers (ElDoc), code actions (`eglot-code-actions') and
;; `xref-find-definitions' to the source passage.
;;
;; Setup:
;;
;;   (add-to-list 'load-path "~/src/verbatim/editors/emacs")
;;   (require 'verbatim)
;;   (setq verbatim-settings '(:min_words 5 :severity (:verified "off")))  ; optional
;;   (verbatim-setup)
;;
;; Only buffers of `verbatim-modes' below a workspace root are touched: the Eglot server entry
;; and the project root are set buffer-locally, so other Markdown buffers keep whatever server
;; `eglot-server-programs' gives them (e.g. marksman) and other projects are unaffected.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'project)

(defgroup verbatim nil
  "Check quotations in drafts against their sources."
  :group 'tools
  :prefix "verbatim-")

(defcustom verbatim-program "verbatim"
  "The verbatim server binary: a command name or a file name.
A name without a directory is looked up by `verbatim-find-program': on
the variable `exec-path' (pip, pipx, uv tool, cargo install, a package
manager), then in `verbatim-program-directories'."
  :type 'string)

(defcustom verbatim-program-directories '("~/.local/bin" "~/.cargo/bin")
  "Directories searched for `verbatim-program' after the variable `exec-path'.
These are where pipx and uv (~/.local/bin) and cargo (~/.cargo/bin)
install, and which the variable `exec-path' lacks when Emacs is not
started from a shell."
  :type '(repeat directory))

(defun verbatim-find-program ()
  "The server binary to run, as a file name; signal a `user-error' if none.
`verbatim-program' as given when it names a directory, else the first
match on the variable `exec-path', else in `verbatim-program-directories'.
The error says where it looked and how to install the server."
  (let ((program (expand-file-name verbatim-program)))
    (cond
     ((file-name-directory verbatim-program)
      (if (file-executable-p program)
          program
        (user-error "Verbatim: `verbatim-program' is %s, which is not an executable file"
                    verbatim-program)))
     ((executable-find verbatim-program))
     ((cl-loop for dir in verbatim-program-directories
               for file = (expand-file-name verbatim-program dir)
               when (and (file-executable-p file) (not (file-directory-p file)))
               return file))
     (t
      (user-error "Verbatim: no `%s' binary found in the %d directories of `exec-path' or in %s.  \
Install it with `pipx install verbatim-lsp' (or `uv tool install verbatim-lsp', \
`pip install verbatim-lsp'), or set `verbatim-program' to its file name"
                  verbatim-program (length exec-path)
                  (mapconcat #'identity verbatim-program-directories ", "))))))

(defcustom verbatim-settings nil
  "Server settings: the keys of verbatim.toml as a plist.
Nested tables are nested plists, e.g.
  (:min_words 5 :severity (:verified \"off\" :drift \"error\")
   :attribution (:style \"footnote\"))
Sent as initializationOptions.verbatim and answered to the server's
workspace/configuration requests for the \"verbatim\" section.  After
changing it in a running session, call `verbatim-send-settings'."
  :type 'plist)

(define-derived-mode verbatim-markdown-mode text-mode "Markdown"
  "Plain `text-mode' for Markdown files when no Markdown mode is installed.
Its buffers are sent to the server as Markdown (languageId \"markdown\"),
so it reads them as Markdown: code spans, HTML comments and link targets
hold no quotes."
  (setq-local comment-start "<!-- ")
  (setq-local comment-end " -->"))

(defcustom verbatim-modes '(markdown-mode gfm-mode markdown-ts-mode verbatim-markdown-mode text-mode)
  "Major modes of the buffers to check.
A buffer is checked when its major mode is one of these (exactly, not a
mode derived from one, so `org-mode' and `latex-mode' are left alone) and
it lies below a workspace root."
  :type '(repeat symbol))

(defcustom verbatim-root-markers '("verbatim.toml" "sources")
  "Markers of a workspace root, most important first.
For each marker in turn, the nearest folder above the file that holds it
is the root.  \"sources\" must be a folder; other markers may be files."
  :type '(repeat string))

(defcustom verbatim-markdown-fallback-mode 'verbatim-markdown-mode
  "Major mode for .md and .markdown files when no Markdown mode is installed.
`verbatim-setup' adds it to `auto-mode-alist' only if `markdown-mode' is
not available.  nil leaves `auto-mode-alist' alone."
  :type '(choice (const :tag "Leave auto-mode-alist alone" nil) function))

(defun verbatim-find-root (file-or-dir)
  "The verbatim workspace root of FILE-OR-DIR, or nil."
  (let ((start (file-name-as-directory
                (if (file-directory-p file-or-dir)
                    file-or-dir
                  (file-name-directory (expand-file-name file-or-dir))))))
    (cl-loop for marker in verbatim-root-markers
             for found = (locate-dominating-file
                          start
                          (lambda (dir)
                            (let ((path (expand-file-name marker dir)))
                              (if (equal marker "sources")
                                  (file-directory-p path)
                                (file-exists-p path)))))
             when found return (file-name-as-directory (expand-file-name found)))))

(defun verbatim--project-find (dir)
  "`project-find-functions' member: the verbatim workspace holding DIR."
  (when-let ((root (verbatim-find-root dir)))
    (cons 'transient root)))

(defun verbatim--settings-object ()
  "`verbatim-settings' as a JSON object (an empty plist is sent as {})."
  (or verbatim-settings eglot--{}))

(defun verbatim--server-entry ()
  "The `eglot-server-programs' entry for verbatim buffers."
  (cons '((markdown-mode :language-id "markdown")
          (gfm-mode :language-id "markdown")
          (markdown-ts-mode :language-id "markdown")
          (verbatim-markdown-mode :language-id "markdown")
          (text-mode :language-id "plaintext"))
        (lambda (&rest _)
          (list (verbatim-find-program) "lsp"
                :initializationOptions
                (lambda (_server) (list :verbatim (verbatim--settings-object)))))))

(defun verbatim--workspace-configuration (server)
  "`eglot-workspace-configuration' function: the \"verbatim\" section for SERVER.
Other sections come from the value `verbatim-setup' found."
  (let* ((previous (get 'verbatim--workspace-configuration 'previous))
         (base (if (functionp previous) (funcall previous server) previous))
         (base (if (and (consp base) (consp (car base))) ; alist form -> plist
                   (cl-loop for (k . v) in base
                            collect (if (keywordp k) k (intern (format ":%s" k)))
                            collect v)
                 base)))
    (append (list :verbatim (verbatim--settings-object))
            (cl-loop for (k v) on base by #'cddr
                     unless (eq k :verbatim) collect k and collect v))))

(defun verbatim-buffer-p ()
  "Non-nil when the current buffer is a draft to check: its mode and root."
  (and buffer-file-name
       (memq major-mode verbatim-modes)
       (verbatim-find-root buffer-file-name)))

(defun verbatim-maybe-start ()
  "Start (or join) the verbatim server for this buffer if it is a draft.
Run from the mode hooks that `verbatim-setup' installs."
  (when (verbatim-buffer-p)
    (setq-local eglot-server-programs (cons (verbatim--server-entry)
                                            (default-value 'eglot-server-programs)))
    (add-hook 'project-find-functions #'verbatim--project-find nil t)
    (eglot-ensure)))

;;;###autoload
(defun verbatim-setup ()
  "Check the quotes of Markdown and text drafts inside verbatim workspaces.
Installs `verbatim-maybe-start' on the mode hooks of `verbatim-modes' and
the \"verbatim\" section of `eglot-workspace-configuration'."
  (interactive)
  (dolist (mode verbatim-modes)
    (add-hook (intern (format "%s-hook" mode)) #'verbatim-maybe-start))
  (let ((current (default-value 'eglot-workspace-configuration)))
    (unless (eq current #'verbatim--workspace-configuration)
      (put 'verbatim--workspace-configuration 'previous current)
      (setq-default eglot-workspace-configuration #'verbatim--workspace-configuration)))
  (when (and verbatim-markdown-fallback-mode
             (not (fboundp 'markdown-mode))
             (not (assoc-default "draft.md" auto-mode-alist #'string-match)))
    (add-to-list 'auto-mode-alist
                 (cons "\\.m\\(?:d\\|arkdown\\)\\'" verbatim-markdown-fallback-mode))))

(defun verbatim-send-settings ()
  "Send `verbatim-settings' to the running verbatim servers."
  (interactive)
  (dolist (server (cl-loop for servers being the hash-values of eglot--servers-by-project
                           append servers))
    (when (equal (car (process-command (jsonrpc--process server))) (ignore-errors (verbatim-find-program)))
      (eglot-signal-didChangeConfiguration server))))

(defun verbatim-open-source ()
  "Open the source passage of the quote at point (`xref-find-definitions')."
  (interactive)
  (call-interactively #'xref-find-definitions))

(provide 'verbatim)
;;; verbatim.el ends here
