;;; find-program.el --- Tests of `verbatim-find-program'  -*- lexical-binding: t; -*-

;;; Commentary:

;; Where verbatim.el looks for the server binary (a file name in `verbatim-program', the variable
;; `exec-path', then `verbatim-program-directories') and what it says when it finds none.  Run by
;; test/lint.sh:
;;   VERBATIM_BIN=... emacs --batch -Q -L editors/emacs -l verbatim -l find-program.el

;;; Code:

(require 'verbatim)

(defvar find-program--passed 0)
(defvar find-program--failed 0)

(defun find-program--check (ok what &optional detail)
  "Print ok or not ok for WHAT, by OK, with DETAIL on failure."
  (if ok
      (progn (setq find-program--passed (1+ find-program--passed))
             (princ (format "ok - %s\n" what)))
    (setq find-program--failed (1+ find-program--failed))
    (princ (format "not ok - %s%s\n" what (if detail (format ": %S" detail) "")))))

(defun find-program--error (fn)
  "The message of the `user-error' FN signals, or nil."
  (condition-case err (progn (funcall fn) nil)
    (user-error (error-message-string err))))

(let* ((bin (getenv "VERBATIM_BIN"))
       (scratch (make-temp-file "verbatim-find-program-" t))
       (empty (expand-file-name "empty-bin" scratch))
       (local-bin (expand-file-name "home/.local/bin" scratch))
       (venv-bin (expand-file-name "venv/bin" scratch))
       (place (lambda (dir)
                (make-directory dir t)
                (let ((file (expand-file-name "verbatim" dir)))
                  (copy-file bin file t)
                  (set-file-modes file #o755)
                  file))))
  (make-directory empty t)
  (unwind-protect
      (let ((exec-path (list empty))
            (verbatim-program "verbatim")
            (verbatim-program-directories (list local-bin)))
        ;; 1. Nowhere: a user-error that says where it looked and how to install.
        (let ((message (find-program--error #'verbatim-find-program)))
          (find-program--check (and message (string-match-p "no .verbatim. binary found" message))
                               "nothing installed: a user-error says no binary was found" message)
          (find-program--check (and message (string-match-p "exec-path" message)
                                    (string-match-p (regexp-quote local-bin) message))
                               "it names exec-path and the extra directories" message)
          (find-program--check (and message (string-match-p "pipx install verbatim-lsp" message))
                               "it says how to install the server" message))
        ;; 2. In ~/.local/bin only (pipx, uv tool): found there.
        (let ((file (funcall place local-bin)))
          (find-program--check (equal (verbatim-find-program) file)
                               "not on exec-path, in ~/.local/bin: found there" (verbatim-find-program)))
        ;; 3. On exec-path (a pip virtual environment): wins.
        (let ((file (funcall place venv-bin))
              (exec-path (list empty venv-bin)))
          (find-program--check (equal (verbatim-find-program) file)
                               "on exec-path: found there first" (verbatim-find-program))
          ;; The Eglot contact names it.
          (find-program--check (equal (car (funcall (cdr (verbatim--server-entry)))) file)
                               "the Eglot server entry starts the binary found"))
        ;; 4. A file name that is not there: said so.
        (let* ((verbatim-program (expand-file-name "nowhere/verbatim" scratch))
               (message (find-program--error #'verbatim-find-program)))
          (find-program--check (and message (string-match-p "not an executable file" message))
                               "a verbatim-program file name that does not exist: said so" message))
        ;; 5. An explicit file name wins.
        (let ((verbatim-program bin)
              (exec-path (list venv-bin)))
          (find-program--check (equal (verbatim-find-program) (expand-file-name bin))
                               "an explicit file name wins over exec-path")))
    (delete-directory scratch t)))

(princ (format "emacs find-program: %d passed, %d failed\n" find-program--passed find-program--failed))
(kill-emacs (if (and (= find-program--failed 0) (> find-program--passed 0)) 0 1))

;;; find-program.el ends here
