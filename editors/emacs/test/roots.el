;;; roots.el --- verbatim-find-root on the shared root cases  -*- lexical-binding: t; -*-

;; The package's root detection on the cases shared with the server and the CLI
;; (fixtures/roots/cases.txt, also run by tests/roots.rs and editors/nvim/test/roots.lua).
;; Run by test/run.sh: emacs --batch -Q -L editors/emacs -l verbatim -l roots.el, with
;; VERBATIM_ROOT_CASES naming that file.

;;; Code:

(require 'verbatim)

(let* ((cases (or (getenv "VERBATIM_ROOT_CASES") (error "VERBATIM_ROOT_CASES must be set")))
       (base (file-name-as-directory (file-truename (make-temp-file "verbatim-roots" t))))
       (passed 0)
       (failed 0))
  (unwind-protect
      (with-temp-buffer
        (insert-file-contents cases)
        (dolist (line (split-string (buffer-string) "\n"))
          (let ((words (split-string line)))
            (pcase words
              ('nil nil)
              (`(,first . ,_) (if (string-prefix-p "#" first) nil
                                (pcase words
                                  (`("dir" ,path) (make-directory (expand-file-name path base) t))
                                  (`("file" ,path)
                                   (let ((file (expand-file-name path base)))
                                     (make-directory (file-name-directory file) t)
                                     (write-region "" nil file nil 'silent)))
                                  (`("root" ,path ,root)
                                   (let ((found (verbatim-find-root (expand-file-name path base)))
                                         (expected (unless (equal root "-")
                                                     (file-name-as-directory (expand-file-name root base)))))
                                     (if (equal found expected)
                                         (progn (setq passed (1+ passed))
                                                (princ (format "ok - root of %s\n" path)))
                                       (setq failed (1+ failed))
                                       (princ (format "not ok - root of %s: %S, expected %S\n" path found expected)))))
                                  (_ (error "Cannot read the case line %S" line)))))))))
    (delete-directory base t))
  (princ (format "emacs roots: %d passed, %d failed\n" passed failed))
  (kill-emacs (if (and (= failed 0) (> passed 0)) 0 1)))

;;; roots.el ends here
