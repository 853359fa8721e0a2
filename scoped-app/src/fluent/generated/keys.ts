import '@servicenow/sdk/global'

declare global {
    namespace Now {
        namespace Internal {
            interface Keys extends KeysRegistry {
                explicit: {
                    'acl-change-request-read': {
                        table: 'sys_security_acl'
                        id: '2276f658b22043bb8d89a92672f1dc93'
                    }
                    'acl-change-request-write': {
                        table: 'sys_security_acl'
                        id: '7055bf7ff037486c9eb093bc48ce7bf0'
                    }
                    'acl-change-request-write-work-notes': {
                        table: 'sys_security_acl'
                        id: 'a7c51de11e8e4515b079c0828cc26762'
                    }
                    'acl-cmdb-ci-read': {
                        table: 'sys_security_acl'
                        id: 'ffd4d2ebced74a8e9f3d33420677cb82'
                    }
                    'acl-patch-run-create': {
                        table: 'sys_security_acl'
                        id: 'ea1cfa322e004b2e822493bc94f0b7b9'
                    }
                    'acl-patch-run-delete': {
                        table: 'sys_security_acl'
                        id: '3e60606886ec45bab026f21ebf303ab2'
                    }
                    'acl-patch-run-read': {
                        table: 'sys_security_acl'
                        id: '26a5f44145814c32a05cb7cf54d1b44d'
                    }
                    'acl-patch-run-write': {
                        table: 'sys_security_acl'
                        id: '3a6926ac895d452d8f78eb2db1f252b9'
                    }
                    'acl-sc-req-item-read': {
                        table: 'sys_security_acl'
                        id: '59e1e5b50ba54e12a52bca3efc3ea86a'
                    }
                    'acl-sc-req-item-write': {
                        table: 'sys_security_acl'
                        id: 'f4acb594da9a436cba046c89eee95d39'
                    }
                    'acl-sc-req-item-write-work-notes': {
                        table: 'sys_security_acl'
                        id: '58af1c4bf8414b5eacb8f6db73e63f5b'
                    }
                    'acl-staging-create': {
                        table: 'sys_security_acl'
                        id: '271d8088f9b74427a5c1db602b74e4f9'
                    }
                    'acl-staging-delete': {
                        table: 'sys_security_acl'
                        id: '4b9278f6649645519398414699379963'
                    }
                    'acl-staging-read': {
                        table: 'sys_security_acl'
                        id: '55150d2447ed4783b9cc6d71808163c4'
                    }
                    'acl-staging-write': {
                        table: 'sys_security_acl'
                        id: 'f5e33ba6fa70437c9b31e43c66e7f231'
                    }
                    'acl-sys-attachment-create': {
                        table: 'sys_security_acl'
                        id: '549a60d8662144d1b45a0c3c2897b804'
                    }
                    'acl-sys-import-set-row-read': {
                        table: 'sys_security_acl'
                        id: '68a5d665e7d24256bd258c02f60775bf'
                    }
                    'acl-sys-user-group-read': {
                        table: 'sys_security_acl'
                        id: '03335764175e43cfbee1dcd16d40d452'
                    }
                    'acl-task-ci-read': {
                        table: 'sys_security_acl'
                        id: 'c84435d9e9044ddb9c4716503efc709a'
                    }
                    'acl-window-create': {
                        table: 'sys_security_acl'
                        id: 'd1a9f8f72b644c87b319bb90cc230747'
                    }
                    'acl-window-delete': {
                        table: 'sys_security_acl'
                        id: '4ce35d6fe13b41aca812652023b17ff1'
                    }
                    'acl-window-read': {
                        table: 'sys_security_acl'
                        id: '503aebefa20b43df82d6bce42599fc48'
                    }
                    'acl-window-write': {
                        table: 'sys_security_acl'
                        id: '729b900ac13c41589f104175adfcd0fe'
                    }
                    'alias-patchbridge': {
                        table: 'sys_alias'
                        id: '0d5281ee1cd4430290649a1d3dbf5e9d'
                    }
                    'atf-acl-integration': {
                        table: 'sys_atf_test'
                        id: '52519a8e1ecd429dbdd1e0b1c0fbceed'
                    }
                    'atf-acl-integration-script': {
                        table: 'sys_atf_step'
                        id: 'f0c0fe6381d64128882a184ae3366ed3'
                    }
                    'atf-acl-integration-user': {
                        table: 'sys_atf_step'
                        id: 'e06b8f56c4a24d0a86c747ec29946c5e'
                    }
                    'atf-acl-no-role': {
                        table: 'sys_atf_test'
                        id: '957c8df6901744e287c2b4cac70bf617'
                    }
                    'atf-acl-no-role-script': {
                        table: 'sys_atf_step'
                        id: '6bd4bb058476461ca9b02b7e8b102446'
                    }
                    'atf-acl-no-role-user': {
                        table: 'sys_atf_step'
                        id: 'f6f01a9da87e4bfd82afab00260b2b3f'
                    }
                    'atf-catalog-bad-account': {
                        table: 'sys_atf_step'
                        id: '0db81d33485046d69b0794dd43e6d3dc'
                    }
                    'atf-catalog-bad-region': {
                        table: 'sys_atf_step'
                        id: '6d4efe707ae041e38c6cac09659089b5'
                    }
                    'atf-catalog-good': {
                        table: 'sys_atf_step'
                        id: '52ad1d906a9b4052a92f4c16e848742e'
                    }
                    'atf-catalog-open-1': {
                        table: 'sys_atf_step'
                        id: '4852861c8837415da2854b967cdccd68'
                    }
                    'atf-catalog-open-2': {
                        table: 'sys_atf_step'
                        id: 'b376d691a9d14fc2a48e9c7aacf32344'
                    }
                    'atf-catalog-open-3': {
                        table: 'sys_atf_step'
                        id: '3f01b9c33d3c456dab492323eb37887b'
                    }
                    'atf-catalog-order-ok': {
                        table: 'sys_atf_step'
                        id: 'd3badae5924445c7b136fce78ca2ccfa'
                    }
                    'atf-catalog-order-refused-1': {
                        table: 'sys_atf_step'
                        id: 'fe3e5e12d61d4b85b414f482519977d3'
                    }
                    'atf-catalog-order-refused-2': {
                        table: 'sys_atf_step'
                        id: '8d309eb5656940d8affca648b9afc8e7'
                    }
                    'atf-catalog-validation': {
                        table: 'sys_atf_test'
                        id: 'a3831216a1f14329983657114fd5c73e'
                    }
                    'atf-change-rule': {
                        table: 'sys_atf_test'
                        id: '210ba25dce24422fac28075eebe98740'
                    }
                    'atf-change-rule-script': {
                        table: 'sys_atf_step'
                        id: 'fdd0ea62b3594d86b32c99962c3d19f4'
                    }
                    'atf-transform-lifecycle': {
                        table: 'sys_atf_test'
                        id: 'cc5bc39833994851aa72a2cc9ef6cc5a'
                    }
                    'atf-transform-lifecycle-script': {
                        table: 'sys_atf_step'
                        id: '4fe4af1f1e2e4334bd7d427514772bb8'
                    }
                    bom_json: {
                        table: 'sys_module'
                        id: '18652a21eb6f4f2d927f5df24440cd81'
                    }
                    'br-change-gates': {
                        table: 'sys_script'
                        id: 'df885089db7048b2a646bef7797401c0'
                    }
                    'br-follow-run': {
                        table: 'sys_script'
                        id: '46a0d2ba86474f2998c39c075a20880d'
                    }
                    'br-submit-gate': {
                        table: 'sys_script'
                        id: 'b19766cdf5b54d24811a22b67800f8cc'
                    }
                    'br-submit-patch-run': {
                        table: 'sys_script'
                        id: 'def27c5e96ae4be3b308bb86286dd845'
                    }
                    'br-submit-report': {
                        table: 'sys_script'
                        id: '3bca1c97c1fa46c3ba726c161c8b525f'
                    }
                    'category-cloud-patching': {
                        table: 'sc_category'
                        id: '6078955dc4df45bdbf6e975b8b5015c0'
                    }
                    'cs-validate-adhoc': {
                        table: 'catalog_script_client'
                        id: 'f37c992e294c4f7caca2f878252c96c8'
                    }
                    'cs-validate-gate': {
                        table: 'catalog_script_client'
                        id: 'eaa598e7e9984d1295efb1659f593b0e'
                    }
                    'cs-validate-report': {
                        table: 'catalog_script_client'
                        id: '51df36550d524143a2ac6bf422786dfa'
                    }
                    'event-call-retry': {
                        table: 'sysevent_register'
                        id: '206bfcf7f411498094890f2347b97645'
                    }
                    'failure-import-map': {
                        table: 'sys_transform_map'
                        id: 'dee72df6862b4105831e1de108d9bc18'
                    }
                    'item-adhoc-patching': {
                        table: 'sc_cat_item'
                        id: '4723dead19e647e7a84319569b33291f'
                    }
                    'item-compliance-report': {
                        table: 'sc_cat_item'
                        id: '725bcfb238d4418ca0064ffbb9b29dce'
                    }
                    'item-window-gate': {
                        table: 'sc_cat_item'
                        id: '7cf3cf4aa88d465c9387961ca9848454'
                    }
                    'job-window-sync': {
                        table: 'sysauto_script'
                        id: '9723a07bfa75427bb14d82b254596d02'
                    }
                    package_json: {
                        table: 'sys_module'
                        id: '5888ddae663b422d8c9852c25294a7fb'
                    }
                    'prop-api-auth': {
                        table: 'sys_properties'
                        id: '021b0f4294d24bb2867d59850591b7a5'
                    }
                    'prop-api-base-url': {
                        table: 'sys_properties'
                        id: '0c01af591dbf467da67752b665f1ccdc'
                        deleted: true
                    }
                    'prop-api-credential': {
                        table: 'sys_properties'
                        id: 'baa847eba00d4d6ab5f523447d54fcab'
                        deleted: true
                    }
                    'prop-api-key-id': {
                        table: 'sys_properties'
                        id: '874ea85020e74b1bb5956573fd460e7b'
                    }
                    'prop-api-oauth-profile': {
                        table: 'sys_properties'
                        id: '13f7d37d55c54370942bdf9b538433f8'
                    }
                    'prop-api-timeout': {
                        table: 'sys_properties'
                        id: '57625d05928243dbb48654fa1ce8d9c5'
                    }
                    'prop-auto-resolve': {
                        table: 'sys_properties'
                        id: 'd95d65002a144b4782bb3f7b17569ace'
                    }
                    'prop-reopen-resolved': {
                        table: 'sys_properties'
                        id: 'a4b51354f070432891dbf59aa2f673da'
                    }
                    'prop-sync-targets': {
                        table: 'sys_properties'
                        id: 'd1af4cec3bd04658a477b628f003a673'
                    }
                    'sa-call-retry': {
                        table: 'sysevent_script_action'
                        id: '884d437523b340be8d6cb217e32396cf'
                    }
                    'si-patchbridge-client': {
                        table: 'sys_script_include'
                        id: 'ae61eecccf9244f797db32f469d1a529'
                    }
                    'src_server_failure-import_ts': {
                        table: 'sys_module'
                        id: 'eb4c8861ac1141a8874a1b18f4a2fe8e'
                    }
                    'src_server_patchbridge-app_ts': {
                        table: 'sys_module'
                        id: '086d3b14dc9a48b3b2a382df8754c548'
                    }
                    'src_server_patchbridge-client_ts': {
                        table: 'sys_module'
                        id: 'b8875bbc0ca142f5b10734ca172ced36'
                    }
                    'src_server_patchbridge-signing_ts': {
                        table: 'sys_module'
                        id: '4f4b01f4443340e2b4c039d8703b1ad0'
                    }
                    'ua-window-sync': {
                        table: 'sys_ui_action'
                        id: '07f55e09c7034891b2fdefb2d440f4e1'
                    }
                    'uip-adhoc-instances': {
                        table: 'catalog_ui_policy'
                        id: '1d8426142f7b44c68cbf6ce53ee66110'
                    }
                    'uip-adhoc-patch-groups': {
                        table: 'catalog_ui_policy'
                        id: '8bd9a2e0e558442ca9d42b4655d7179e'
                    }
                    'xsp-change-read': {
                        table: 'sys_scope_privilege'
                        id: '9884a4c4a4f24a42b79b072cf9a3a6b0'
                    }
                    'xsp-change-write': {
                        table: 'sys_scope_privilege'
                        id: '1e56e17ee5f4461997f9c13ab2084b8e'
                    }
                    'xsp-cmdb-ci-read': {
                        table: 'sys_scope_privilege'
                        id: '6e5addd1098f41d29248fb600bf67e53'
                    }
                    'xsp-incident-read': {
                        table: 'sys_scope_privilege'
                        id: 'ebe1f10d007b49b399ee761c086ed713'
                    }
                    'xsp-sc-req-item-read': {
                        table: 'sys_scope_privilege'
                        id: '4edb59d57c18446ab54bb8534b50af4a'
                    }
                    'xsp-sc-req-item-write': {
                        table: 'sys_scope_privilege'
                        id: 'c47bee09d72a427e8ab78217c57bffd9'
                    }
                    'xsp-task-ci-create': {
                        table: 'sys_scope_privilege'
                        id: '1e2cef1e8406449e91459620a1106023'
                    }
                    'xsp-task-ci-read': {
                        table: 'sys_scope_privilege'
                        id: '5269264130f7450b80d61aa555b698f1'
                    }
                }
                composite: [
                    {
                        table: 'catalog_ui_policy_action'
                        id: '00cc13b333a945e4a1aafd6528c2c124'
                        key: {
                            ui_policy: '1d8426142f7b44c68cbf6ce53ee66110'
                            catalog_variable: 'IO:d6c55c85969742b7b5c66395e767961e'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: '015368f48a5e4a1c88368f0b1062ff63'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'short_description'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '01d4997022194c54baddf175c254ce40'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'account'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: '03805d8f2acc4a2c854f83594e508618'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'description'
                        }
                    },
                    {
                        table: 'sys_element_mapping'
                        id: '03c5afaac1c04923a1f9261dc826a47b'
                        key: {
                            field: 'script'
                            table: 'var__m_atf_input_variable_41de4a935332120028bc29cac2dc349a'
                            id: '4fe4af1f1e2e4334bd7d427514772bb8'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '0568471934e342568d7748fcbeb900f2'
                        key: {
                            cat_item: '725bcfb238d4418ca0064ffbb9b29dce'
                            variable_set: 'NULL'
                            name: 'format_json'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '0809cbc750e94c5c964d57e841d8a8ca'
                        key: {
                            document_key: 'f0c0fe6381d64128882a184ae3366ed3'
                            variable: '42f2564b73031300440211d8faf6a777'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '0964857ea1044427a4689ea3f4238a60'
                        key: {
                            document_key: 'f0c0fe6381d64128882a184ae3366ed3'
                            variable: '989d9e235324220002c6435723dc3484'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '0964f253c5414665bead50faf30c4d19'
                        key: {
                            document_key: '0db81d33485046d69b0794dd43e6d3dc'
                            variable: '571e6a25c3b2220076173b0ac3d3ae46'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '09b5dbb6e062492f975ecf7e013a4361'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_time'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '09c17bdaf3944681afcd7aeb2d77264e'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'reboot_option'
                            value: 'NoReboot'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '0a3af25ce6f54c2fba6ab848ac8caff9'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'started_at'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '0accd2fa5f0b46c7b31c774b7bb92a16'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'correlation_id'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '0ed412b4befd4608ada0c9c31825400a'
                        key: {
                            document_key: '4fe4af1f1e2e4334bd7d427514772bb8'
                            variable: '989d9e235324220002c6435723dc3484'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '0f39de0b65a94a178485118dcd626827'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'change_request'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '114abbb5f29f47a189502de2ba62e1b1'
                        key: {
                            cat_item: '725bcfb238d4418ca0064ffbb9b29dce'
                            variable_set: 'NULL'
                            name: 'format_csv'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '1316db6b2aa2438db08d54a624beb436'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'name'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '13f1f88e740d4f0f9cd74f1ceff09bb7'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'name'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '148a844d393a4564a16419995bc3e525'
                        key: {
                            sys_security_acl: 'a7c51de11e8e4515b079c0828cc26762'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '1658927ffc9a444788f0e8898d67c212'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'status'
                            value: 'InProgress'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '17fd6dbb99c54434919d22c14a1863d5'
                        key: {
                            document_key: '3f01b9c33d3c456dab492323eb37887b'
                            variable: 'b0d64ce1c332220076173b0ac3d3ae95'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '1bc5412ab9fe430e8eb1001f11602509'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'completed_at'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '1c3fba680a2746d4ba668821475d71a4'
                        key: {
                            sys_security_acl: '4b9278f6649645519398414699379963'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_choice_set'
                        id: '1c66c07aeb65409294d6e11f88ece968'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'operation'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: '1d182ef00def4468ab5f45159c7ced62'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'assignment_group'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '1fd1d4eefe054292a5639e0618c1519f'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'account'
                            language: 'en'
                        }
                    },
                    {
                        table: 'catalog_ui_policy_action'
                        id: '2025717dbf904e3281a8fb5c89595df3'
                        key: {
                            ui_policy: '8bd9a2e0e558442ca9d42b4655d7179e'
                            catalog_variable: 'IO:ac6eaaa3837c488eb4b48067e0e64841'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '21d143eb46fc4a328f57f3078a8e80d2'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'instances_total'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '2223cae61a334a29bd6ea332197e1c53'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'work_note'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '2357bce992f0458e88fad3e644d9ae71'
                        key: {
                            sys_security_acl: '59e1e5b50ba54e12a52bca3efc3ea86a'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '235cb04854f040638fcbeac08ac85b10'
                        key: {
                            cat_item: '725bcfb238d4418ca0064ffbb9b29dce'
                            variable_set: 'NULL'
                            name: 'patch_groups'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: '258272bfa01a4f06a681b7dad396b5fc'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'urgency'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '26056e0d49b84675a7c1078c8ccc24cf'
                        key: {
                            sys_security_acl: 'f5e33ba6fa70437c9b31e43c66e7f231'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '268ec9a7f806423c8e12d082906346de'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'operation'
                            value: 'Scan'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '26b20539a2ce4e0c8c77343f5d02115d'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'change_request'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '273a1ea044734e78843eedcf8bc24879'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'gate_state'
                            value: 'revoked'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '27eee1a56f8543ae8d7012aca50347f6'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'change_request'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '28330ea9a1d34d45a78a41c154bcf4c6'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'correlation_id'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '28f19d7373bf4cbb94c1d12b1c0eee52'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'urgency'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '2b0740a73fc24b94bbcb2dd86147cd45'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'change_request'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '2b92f6f4284b4f4aaefb2ba9f38aeb34'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'status'
                            value: 'TimedOut'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '2c5bbcf4e5634a469566fadb3195abc8'
                        key: {
                            document_key: 'e06b8f56c4a24d0a86c747ec29946c5e'
                            variable: '6f69fc4aff6433008d3f5d9ad53bf18c'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '3047cfe55d76493daa8ba656fab411e8'
                        key: {
                            sys_security_acl: '55150d2447ed4783b9cc6d71808163c4'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'question_choice'
                        id: '313a971bf11043f1ab12a2961a7d498d'
                        key: {
                            question: {
                                id: 'a6537886fa644a829424629c2f56ceb0'
                                key: {
                                    cat_item: '4723dead19e647e7a84319569b33291f'
                                    variable_set: 'NULL'
                                    name: 'reboot_option'
                                }
                            }
                            value: 'RebootIfNeeded'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '31ab9a82c0a44298a050ff823ddc6948'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'instance_ids'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '365413d77955434db3fb25785928be52'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'patch_group'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '370daada3d0a4996be5a7e553138dedc'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'close_notes'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '3955d40c3b01474782a0431fc46b7a55'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'status'
                            value: 'Failed'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '39820830ad3842d8aad12d53e24239ee'
                        key: {
                            sys_security_acl: '549a60d8662144d1b45a0c3c2897b804'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '39b4a834f07249a08de34ecbbcdb6c7d'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'max_concurrency'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '3ae9503cc889469bb9c6a9a49daa6f70'
                        key: {
                            sys_security_acl: '26a5f44145814c32a05cb7cf54d1b44d'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '3b113f936a7c410cb0141ddfc7fda313'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'region'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '3bf1b0466000439b873d07b829ba2f58'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'counts'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '3c1085c4060f4fbfa9359ef520fbfd2e'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                            value: 'FAILED'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '3cf22c7bf5e24a6c9a81a12629d11de4'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'instances_succeeded'
                            language: 'en'
                        }
                    },
                    {
                        table: 'catalog_ui_policy_action'
                        id: '3db5b9ff1d8343a68b0f057cdb3792b5'
                        key: {
                            ui_policy: '8bd9a2e0e558442ca9d42b4655d7179e'
                            catalog_variable: 'IO:d6c55c85969742b7b5c66395e767961e'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '3df9691c58454649b9e7efce4d5c44d4'
                        key: {
                            sys_security_acl: '3a6926ac895d452d8f78eb2db1f252b9'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '3e56fa8499db4a74ade3f22e7348b090'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'window_id'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '3edf26fd64704c0099c6af563bcab229'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'NULL'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '41c4f45ed0384bada561c0c7ce505e1e'
                        key: {
                            sys_security_acl: '3a6926ac895d452d8f78eb2db1f252b9'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '4493f38546da48e6aba3bee6a87eeca0'
                        key: {
                            document_key: '8d309eb5656940d8affca648b9afc8e7'
                            variable: '17513cb2c310320076173b0ac3d3ae64'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '459508d52a0842a6b60f1fd471c78784'
                        key: {
                            document_key: '6bd4bb058476461ca9b02b7e8b102446'
                            variable: '989d9e235324220002c6435723dc3484'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '46d9217d173f424a9642d81ef875c1c2'
                        key: {
                            document_key: '6d4efe707ae041e38c6cac09659089b5'
                            variable: '346eea25c3b2220076173b0ac3d3ae8b'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '48f06b8a17cc486b955f1e7fbbcc0e65'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'operation'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '49c369f33b4d4c37bf1ba6952d6c571f'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                            value: 'CANCELLING'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_choice_set'
                        id: '4ab8276c4560406182bf8d0107762d63'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'status'
                        }
                    },
                    {
                        table: 'sys_user_role_contains'
                        id: '4b402da413f74c179b892115e76ce653'
                        key: {
                            role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                            contains: {
                                id: 'd74b2111620e448e9bfe58927358ccd0'
                                key: {
                                    name: 'x_pbridge.user'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '4c2c413350f4469d80a422cfd18b6288'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'NULL'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '4d5777a0813146f7b309f5d8b9aa2ff4'
                        key: {
                            document_key: '6d4efe707ae041e38c6cac09659089b5'
                            variable: '571e6a25c3b2220076173b0ac3d3ae46'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '4e9a5612f2e14455970bf96de2f6e36c'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'number'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '50326a58880f4415acd5f9ca9891eb6c'
                        key: {
                            sys_security_acl: '503aebefa20b43df82d6bce42599fc48'
                            sys_user_role: {
                                id: 'd74b2111620e448e9bfe58927358ccd0'
                                key: {
                                    name: 'x_pbridge.user'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '507bdad253c645029ea6d74f82c3cd6b'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'assignment_group'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: '51943e337c8b4f5097caaaaf0a1be1b4'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'impact'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '5381a0a638d344ed84b52df276db2d11'
                        key: {
                            document_key: 'fdd0ea62b3594d86b32c99962c3d19f4'
                            variable: '989d9e235324220002c6435723dc3484'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '538e3223c77849dc887bbc632c998b8d'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'enabled'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '53d9a8f64051476298705a7f4ff029c6'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'execution_id'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '545faa5590f74998a455f92561af062d'
                        key: {
                            document_key: 'f6f01a9da87e4bfd82afab00260b2b3f'
                            variable: 'ff06ab840f20101091d0f00c97767e6d'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '547f4a3947ae48b49ce7ed38e961540e'
                        key: {
                            cat_item: '725bcfb238d4418ca0064ffbb9b29dce'
                            variable_set: 'NULL'
                            name: 'accounts'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '54af170a4c694677bb71e07bd8c09523'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'change_request'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '5669192370784e7eaeb06d656c571e15'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                            value: 'SKIPPED_OVERLAPPING'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '5671bafa944b4ba089fcd616119a4c05'
                        key: {
                            cat_item: '725bcfb238d4418ca0064ffbb9b29dce'
                            variable_set: 'NULL'
                            name: 'regions'
                        }
                    },
                    {
                        table: 'ua_table_licensing_config'
                        id: '590d002ffed545babaf12518c551de6b'
                        key: {
                            name: 'x_pbridge_patch_run'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '5cacdce6ed9f47c99c198e5a3ca122a2'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'instances_cancelled'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '5f836a1b712f4eba8db2f10850db9f11'
                        key: {
                            sys_security_acl: '03335764175e43cfbee1dcd16d40d452'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '5fe9c0b1016141d69cba278d1ab5af31'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'requested_item'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '5ffe6c8623234e8bbe9b7d928fd763f0'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'NULL'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '6081386f11a64ff383aa52cc350086bf'
                        key: {
                            sys_security_acl: '729b900ac13c41589f104175adfcd0fe'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '609f4d7680d54643962a5e712cd82e7d'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'max_errors'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '60a7324f88d14feab42211abd56c29a2'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'account'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '60ec158bf1c04848b3f8aacdd1f93995'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'window_id'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '61a082df252a4a798f4ec0d40995df2b'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'change_request'
                            language: 'en'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '623bfbb3557d4a9f8a8c2a05736c50db'
                        key: {
                            cat_item: '725bcfb238d4418ca0064ffbb9b29dce'
                            variable_set: 'NULL'
                            name: 'period_days'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '62fcb43651ce47bfbda259603baf80f0'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'operation'
                            value: 'Install'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '63bc0ef318584a93a488b0a06570f03d'
                        key: {
                            sys_security_acl: '68a5d665e7d24256bd258c02f60775bf'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'ua_table_licensing_config'
                        id: '6460810d102b4dac96f025b6099eecdc'
                        key: {
                            name: 'x_pbridge_failure_import'
                        }
                    },
                    {
                        table: 'question_choice'
                        id: '64e52793284e44f389b684b458bee0eb'
                        key: {
                            question: {
                                id: '7e0e631cd4d34edda22932c01917a732'
                                key: {
                                    cat_item: '4723dead19e647e7a84319569b33291f'
                                    variable_set: 'NULL'
                                    name: 'operation'
                                }
                            }
                            value: 'Install'
                        }
                    },
                    {
                        table: 'sc_cat_item_category'
                        id: '652803dfcce5457d98fd857543cfd92d'
                        key: {
                            sc_cat_item: '4723dead19e647e7a84319569b33291f'
                            sc_category: '6078955dc4df45bdbf6e975b8b5015c0'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: '6622c80f9973441f8bc16e42de03b1ac'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'work_notes'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '67625ee7bc0b4b0ebbb5eb5d75023090'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'status'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '688c8e51d3ef45f1ac0db4932f3e06c3'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                            language: 'en'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '69065498f1634bdb909cb21554e7c692'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'region'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '69378ce1ffb34024af619d6947946c9f'
                        key: {
                            sys_security_acl: 'ffd4d2ebced74a8e9f3d33420677cb82'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '69777937f43846ab812b8914a3beb3f6'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'gate_result'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '69e2c8d02b0b46dca845691e0112ad50'
                        key: {
                            document_key: 'e06b8f56c4a24d0a86c747ec29946c5e'
                            variable: '98c44875ffa033008d3f5d9ad53bf1fa'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '6aca7eb896a741e088cc400eaf9ed121'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'execution_id'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '6c401e5de48142f897226e9a5a002f09'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                            value: 'CANCELLED'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '6c7b2149ff454684adf06bad1caba1e1'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'reboot_option'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '6e04ba5aa82d4d1283b6e90c73c1d5bd'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'counts'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '6fc69ca9ff3d4c9aaa44680f8ad7f9dd'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'reboot_option'
                            value: 'RebootIfNeeded'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '705d27626e744f6d9d0715ef09b2217c'
                        key: {
                            document_key: 'e06b8f56c4a24d0a86c747ec29946c5e'
                            variable: 'b27b2b29ff6033008d3f5d9ad53bf164'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '7201c2d9737b494aa6656dc34bf665b5'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'number'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '74b0ef252b3c486194e241d4040ab124'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'gate_state'
                            value: 'open'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_db_object'
                        id: '75237ca82de442c4be1cdaf892e27027'
                        key: {
                            name: 'x_pbridge_window'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '768d66d97128408987b0038623e7e6a2'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'instances_failed'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: '779814b4dace47c992e76d1c6b4d9bdf'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                            value: 'IN_PROGRESS'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '77ac656cefaa4ccc8e0d0b466a653ae7'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'schedule'
                            language: 'en'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '78176767add24bc4b1d78d52df68f28b'
                        key: {
                            cat_item: '7cf3cf4aa88d465c9387961ca9848454'
                            variable_set: 'NULL'
                            name: 'change_request'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '79db9db0179a4aa2a106d83f097b4ecf'
                        key: {
                            sys_security_acl: 'd1a9f8f72b644c87b319bb90cc230747'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '7a681a4e72114e73806ad857e6a3fe6f'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_time'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '7b2d8b1ca89e47e8a9e4229ca098ec67'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'patchbridge_link'
                            language: 'en'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '7bb93fca06a54dd18f559a98078bcc37'
                        key: {
                            cat_item: '725bcfb238d4418ca0064ffbb9b29dce'
                            variable_set: 'NULL'
                            name: 'format_html'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: '7c244eee469047c98a924c05ecb9687a'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'rfc'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '7c5d61b6ec3c4ede88e934b9f17a3da0'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'correlation_display'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '7e0e631cd4d34edda22932c01917a732'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'operation'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '80c95424df2044c18e90cd00336b54cc'
                        key: {
                            sys_security_acl: '26a5f44145814c32a05cb7cf54d1b44d'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_index'
                        id: '84008e956bed4020b45932efb83c4d93'
                        key: {
                            logical_table_name: 'x_pbridge_window'
                            col_name_string: 'window_id,account,region'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '865943f4f1f84cec8abc22cd0845d4c9'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'region'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '893214b2068e4113b80c56717f0e7296'
                        key: {
                            document_key: 'fe3e5e12d61d4b85b414f482519977d3'
                            variable: '17513cb2c310320076173b0ac3d3ae64'
                        }
                    },
                    {
                        table: 'sc_cat_item_category'
                        id: '8daefb7ef2364aa790c3df15e24f31df'
                        key: {
                            sc_cat_item: '725bcfb238d4418ca0064ffbb9b29dce'
                            sc_category: '6078955dc4df45bdbf6e975b8b5015c0'
                        }
                    },
                    {
                        table: 'sys_choice_set'
                        id: '8db4990267a54f47bffe0dd4631e63b8'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'gate_state'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: '8dd19a716dec4f1db4a39c935fa3cb1f'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'correlation_id'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '8e8c1c7d3d2d442fb92c43c4a98ffed4'
                        key: {
                            sys_security_acl: '503aebefa20b43df82d6bce42599fc48'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sc_cat_item_category'
                        id: '8f3b81c7c436492798d940cd91a45506'
                        key: {
                            sc_cat_item: '7cf3cf4aa88d465c9387961ca9848454'
                            sc_category: '6078955dc4df45bdbf6e975b8b5015c0'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '90a85b42edec48a7bfe18021dc0bc108'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'NULL'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '9219fed409e44c5eb4e9b4d6a13b9e21'
                        key: {
                            sys_security_acl: 'c84435d9e9044ddb9c4716503efc709a'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: '933bfa9e59fa47959bd5d5c1bc9dd206'
                        key: {
                            sys_security_acl: '58af1c4bf8414b5eacb8f6db73e63f5b'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: '947483d32e1e4470826868c0e7252018'
                        key: {
                            document_key: '52ad1d906a9b4052a92f4c16e848742e'
                            variable: '346eea25c3b2220076173b0ac3d3ae8b'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '969a33b0e7d944488ddc0e8d2e88e8f1'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'enabled'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '9739dd2fcc3f4e809583c257c1c96168'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'cmdb_ci'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '975bf5a6c59d4534a708ba361988e62b'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'requested_item'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '9a568414b3e14ac2bb45d3f104fb858b'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'description'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_choice_set'
                        id: '9d4a760dbc8a4314928d078543aadcc0'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'reboot_option'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: '9da3ada073794381b0af7099173b3393'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'account_id'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: '9ef3e5120c3d4c8ead032989289ee56c'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'NULL'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: '9f9ea86b8989435b9c2bb258ce67f384'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'targets'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: 'a0dbd5dc09df419a890c43b474ace188'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'active'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'a12852bc7faf4accb72e4e4e45eafb4c'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'instance_ids'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'a15142d3e7cd46c498cbb38790adb9fb'
                        key: {
                            sys_security_acl: '2276f658b22043bb8d89a92672f1dc93'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: 'a2a13d6c94534b8686e97d0c231f2588'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'gate_state'
                            value: 'expired'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: 'a2dd3a290db247cb93c17214820ad624'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'cmdb_ci'
                        }
                    },
                    {
                        table: 'sc_cat_item_catalog'
                        id: 'a3a842d5d1d04a35915ec7c86f437507'
                        key: {
                            sc_cat_item: '4723dead19e647e7a84319569b33291f'
                            sc_catalog: 'e0d08b13c3330100c8b837659bba8fb4'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'a3fd95a2344d4582bb6bc56a7e875fb6'
                        key: {
                            document_key: 'fdd0ea62b3594d86b32c99962c3d19f4'
                            variable: '42f2564b73031300440211d8faf6a777'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'a45a2386338c490e98cb1acf8b0d18fa'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: 'a6537886fa644a829424629c2f56ceb0'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'reboot_option'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'a7dd7e9951f14a5faa95b8ec206457bd'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'correlation_display'
                            language: 'en'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: 'aa6da09bbcd94de5bca29a43e5c0efcd'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'instances'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'aafbbb1645aa4b1091b26cdd554f27a1'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'gate_state'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: 'ac6eaaa3837c488eb4b48067e0e64841'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'patch_groups'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'acb38c1a00b447bc85abe4c5023f3b23'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'targets'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'ad1d61bdf7e9498eb065ed0abb9b5869'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'patch_group'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'ad582fac19104f03adef07f28c5f29d3'
                        key: {
                            document_key: 'f6f01a9da87e4bfd82afab00260b2b3f'
                            variable: '1778a7480f20101091d0f00c97767e03'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: 'ad90b0385ebb42bd95cbc7761b98926b'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                            value: 'SUCCESS'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_ui_action_role'
                        id: 'ae86e930e62f4ffa9dfe16c4f92cc1f1'
                        key: {
                            sys_ui_action: '07f55e09c7034891b2fdefb2d440f4e1'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'afafc8556b7e462695134d38e7a17c61'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'NULL'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: 'b0060360d053429d8354e2bdfcc38f77'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'gate_state'
                            value: 'none'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'b0b12615f708479c9813376f1bb38c3a'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'instances_failed'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'b1cfbceee2df42668561957a14976267'
                        key: {
                            document_key: '4fe4af1f1e2e4334bd7d427514772bb8'
                            variable: '42f2564b73031300440211d8faf6a777'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'b2c78faa5e554550af423987b4e81ba8'
                        key: {
                            document_key: 'e06b8f56c4a24d0a86c747ec29946c5e'
                            variable: '1985e0ceff2433008d3f5d9ad53bf1ba'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'b2e0992662d64e4b8515b8e7b217e143'
                        key: {
                            document_key: 'e06b8f56c4a24d0a86c747ec29946c5e'
                            variable: '8c07aba5ff6033008d3f5d9ad53bf13b'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'b3aff42f2bbf44919e12864afc3dec7e'
                        key: {
                            sys_security_acl: '55150d2447ed4783b9cc6d71808163c4'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'b4d5b9aae93a47559196e739a24acfa6'
                        key: {
                            sys_security_acl: '271d8088f9b74427a5c1db602b74e4f9'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'b6492965b3b04bf38a587caa39299db7'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'status'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'b785719908464fe9aae52fedf3924cc6'
                        key: {
                            document_key: 'f6f01a9da87e4bfd82afab00260b2b3f'
                            variable: 'b27b2b29ff6033008d3f5d9ad53bf164'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'b90d98a1c9584a0fab55f7a2278b0404'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'short_description'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'bb37d556ec5e413fa15d93c5781d17e7'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'work_note'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'bbebc2ab4bd94e408c2b111a5a74e041'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'impact'
                        }
                    },
                    {
                        table: 'sys_user_role'
                        id: 'bc329471c7b24f899f04166e24358cd3'
                        key: {
                            name: 'x_pbridge.admin'
                        }
                    },
                    {
                        table: 'question_choice'
                        id: 'bcdaa66dca564372a94f4b217e1ff0d6'
                        key: {
                            question: {
                                id: 'f197d15415b74738913808b486429fc9'
                                key: {
                                    cat_item: '4723dead19e647e7a84319569b33291f'
                                    variable_set: 'NULL'
                                    name: 'target_type'
                                }
                            }
                            value: 'patch_groups'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: 'bda56c713e314d54af63faa39f996dc2'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                            value: 'TIMED_OUT'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'bdd0bfafb4944f9a94503357408083ed'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'instances_total'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: 'bdd89cf0cb2a4a08b622af4c98649118'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'status'
                            value: 'Success'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'be2e49e10b034bd6ba0c08e098295d2c'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'operation'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_number'
                        id: 'c0346ce8dbd142238bbfadb4a406a7f5'
                        key: {
                            category: 'x_pbridge_patch_run'
                            prefix: 'PBR'
                        }
                    },
                    {
                        table: 'catalog_ui_policy_action'
                        id: 'c0539c97e4a14e08a259cc93d2960698'
                        key: {
                            ui_policy: '8bd9a2e0e558442ca9d42b4655d7179e'
                            catalog_variable: 'IO:aa6da09bbcd94de5bca29a43e5c0efcd'
                        }
                    },
                    {
                        table: 'sys_db_object'
                        id: 'c07dda6b520040f8aba5f0c037a5521c'
                        key: {
                            name: 'x_pbridge_patch_run'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'c0f7da4bb51f47abbef44a512abd723c'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'run_id'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'c171d05d22504d2e8c616702bfe4bbde'
                        key: {
                            document_key: 'd3badae5924445c7b136fce78ca2ccfa'
                            variable: '17513cb2c310320076173b0ac3d3ae64'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: 'c1a83d254e874d4ea6a7a8493e49ad31'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'status'
                            value: 'Cancelled'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_transform_entry'
                        id: 'c1dcb41c1ccc4fdb9b5853d1cb2b7cdd'
                        key: {
                            map: 'dee72df6862b4105831e1de108d9bc18'
                            target_field: 'correlation_display'
                        }
                    },
                    {
                        table: 'sc_cat_item_catalog'
                        id: 'c2d87a003e304b92abfe2d89a2ffbed3'
                        key: {
                            sc_cat_item: '725bcfb238d4418ca0064ffbb9b29dce'
                            sc_catalog: 'e0d08b13c3330100c8b837659bba8fb4'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'c38bd68c46c9411eb313fcc34bf8bcc3'
                        key: {
                            sys_security_acl: '26a5f44145814c32a05cb7cf54d1b44d'
                            sys_user_role: {
                                id: 'd74b2111620e448e9bfe58927358ccd0'
                                key: {
                                    name: 'x_pbridge.user'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: 'c5a0188177354a9baf26f3b7e2bec323'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'status'
                            value: 'Cancelling'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'c5f08b897ac34db38ad1e06513549516'
                        key: {
                            sys_security_acl: 'ea1cfa322e004b2e822493bc94f0b7b9'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'c63dd8a8a3db4b05be458c84c5cf5a80'
                        key: {
                            sys_security_acl: 'f4acb594da9a436cba046c89eee95d39'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'c6bd149c9e8b45b6a35d2bab210f9248'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'description'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'c6f52a8f65fe4a3d8ffb60ed4a8329aa'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'region'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'c88ba27c7dae41ecba5f1abae24695d7'
                        key: {
                            document_key: 'f6f01a9da87e4bfd82afab00260b2b3f'
                            variable: '1985e0ceff2433008d3f5d9ad53bf1ba'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'c91295ecc8fc4e93b4ca17de55f0f5b4'
                        key: {
                            document_key: '6bd4bb058476461ca9b02b7e8b102446'
                            variable: '42f2564b73031300440211d8faf6a777'
                        }
                    },
                    {
                        table: 'question_choice'
                        id: 'cac19ce332b641a38d2b88cdf2aa62fe'
                        key: {
                            question: {
                                id: 'f197d15415b74738913808b486429fc9'
                                key: {
                                    cat_item: '4723dead19e647e7a84319569b33291f'
                                    variable_set: 'NULL'
                                    name: 'target_type'
                                }
                            }
                            value: 'instances'
                        }
                    },
                    {
                        table: 'sys_element_mapping'
                        id: 'cc4cf98de71f4c4a946b71c3958a5933'
                        key: {
                            field: 'script'
                            table: 'var__m_atf_input_variable_41de4a935332120028bc29cac2dc349a'
                            id: 'fdd0ea62b3594d86b32c99962c3d19f4'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'cc6fe289aa524ed6ab3457c4160843de'
                        key: {
                            sys_security_acl: '7055bf7ff037486c9eb093bc48ce7bf0'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'cc9d6d2ffda442c8b82f0e4232c76531'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'execution_id'
                        }
                    },
                    {
                        table: 'ua_table_licensing_config'
                        id: 'cddbcf69c7084b0fbfdb70a5c9aac419'
                        key: {
                            name: 'x_pbridge_window'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'ce8444c69727482f986e3be2be8a15e6'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'close_code'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'cf24775837934473ba441630570e90a3'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'region'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'cf2d50af58dd4d09bd59e02c95ab4723'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'account'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'cfa003dcdc5647228ee2a23ff8f90d8c'
                        key: {
                            sys_security_acl: '4ce35d6fe13b41aca812652023b17ff1'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'd0b5381545d64f2e861774a3fe1e5ae7'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'close_notes'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_element_mapping'
                        id: 'd1004b9319334c7caff0df2321bbff31'
                        key: {
                            field: 'script'
                            table: 'var__m_atf_input_variable_41de4a935332120028bc29cac2dc349a'
                            id: 'f0c0fe6381d64128882a184ae3366ed3'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'd20acfa226604a6a88157fbfb4155da8'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'close_code'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_db_object'
                        id: 'd22350e2d54a446db959e86b44f926ba'
                        key: {
                            name: 'x_pbridge_failure_import'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: 'd2d5800d54d542b6a07879f7bea654ac'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'change_request'
                        }
                    },
                    {
                        table: 'question_choice'
                        id: 'd442839161e84e94a11eb62b390626ba'
                        key: {
                            question: {
                                id: '7e0e631cd4d34edda22932c01917a732'
                                key: {
                                    cat_item: '4723dead19e647e7a84319569b33291f'
                                    variable_set: 'NULL'
                                    name: 'operation'
                                }
                            }
                            value: 'Scan'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: 'd5b9b10d4bec45a3b90f4d57c2d56faf'
                        key: {
                            cat_item: '7cf3cf4aa88d465c9387961ca9848454'
                            variable_set: 'NULL'
                            name: 'window'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: 'd6c55c85969742b7b5c66395e767961e'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'add_affected_cis'
                        }
                    },
                    {
                        table: 'sys_user_role'
                        id: 'd74b2111620e448e9bfe58927358ccd0'
                        key: {
                            name: 'x_pbridge.user'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'd776feb8c10b44f8948a968299fbe0f4'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'impact'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'd7c99ffbb531417d880a3e0d76cfa866'
                        key: {
                            sys_security_acl: '3e60606886ec45bab026f21ebf303ab2'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: 'da48a97efd9740f1af7036f0bca627e5'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                            value: 'PENDING'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'dafb613890164ceaa830a66565ce6fec'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'instances_timed_out'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'db255c22c54f43b7a84c2c8b0717cf5a'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'region'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'dd22c281c172478a9c33cc886ffbb484'
                        key: {
                            sys_security_acl: '503aebefa20b43df82d6bce42599fc48'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'dd38def5dbbb4566aafa45cb4bc7fc62'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'account'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'ddc22bb3fd6746469b8376c71569c3ec'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'completed_at'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sc_cat_item_catalog'
                        id: 'dea3443ab0894bc9be5a854b2c6c7462'
                        key: {
                            sc_cat_item: '7cf3cf4aa88d465c9387961ca9848454'
                            sc_catalog: 'e0d08b13c3330100c8b837659bba8fb4'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'deaafc60e07a4050a017ef8826d61a2c'
                        key: {
                            sys_security_acl: 'ea1cfa322e004b2e822493bc94f0b7b9'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'dfac18c9fb554fd786cfdc2f0ba4ca1f'
                        key: {
                            document_key: 'b376d691a9d14fc2a48e9c7aacf32344'
                            variable: 'b0d64ce1c332220076173b0ac3d3ae95'
                        }
                    },
                    {
                        table: 'catalog_ui_policy_action'
                        id: 'e19a68cc17b24acc8d5718be55c1e5e5'
                        key: {
                            ui_policy: '1d8426142f7b44c68cbf6ce53ee66110'
                            catalog_variable: 'IO:ac6eaaa3837c488eb4b48067e0e64841'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: 'e30b75e9b1494ad7821aa2eb2b4802bd'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'status'
                            value: 'Pending'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'e37cdb91fad247169cf288605556df9b'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'instances_cancelled'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'e41cf6fe21d04dc5b26c35fc2f64e8b4'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'execution_id'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'e5a7c89de92048059013cff8aeb0ecec'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'reboot_option'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'e7efd1aa65be4dd99724d6c028651389'
                        key: {
                            document_key: 'e06b8f56c4a24d0a86c747ec29946c5e'
                            variable: 'ff06ab840f20101091d0f00c97767e6d'
                        }
                    },
                    {
                        table: 'sys_choice_set'
                        id: 'e84dfae2b1c94a36bd6f72bfd1fb2f56'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'last_execution_status'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'e9584086a24f413984f2f13a9142d235'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'assignment_group'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'ea10085dd50d44bd8ed5bfca2783553a'
                        key: {
                            sys_security_acl: 'd1a9f8f72b644c87b319bb90cc230747'
                            sys_user_role: {
                                id: 'f104da37212642188389bf506a9fc3eb'
                                key: {
                                    name: 'x_pbridge.integration'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'ea262bcc8e2d4e9c9ec39f54d55819b2'
                        key: {
                            document_key: 'f6f01a9da87e4bfd82afab00260b2b3f'
                            variable: '6f69fc4aff6433008d3f5d9ad53bf18c'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'ec1a792577a5484792b754142da4525f'
                        key: {
                            document_key: '4852861c8837415da2854b967cdccd68'
                            variable: 'b0d64ce1c332220076173b0ac3d3ae95'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'ec38daa89b1d4e5488a9192a08125947'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'schedule'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'ed425181bf294df38f2338d880a7024c'
                        key: {
                            document_key: 'e06b8f56c4a24d0a86c747ec29946c5e'
                            variable: '1778a7480f20101091d0f00c97767e03'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'ed5b8d82fc2d43a0b1883504a2d7c447'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'cmdb_ci'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'ed6ca425e4ca4d27b59a11b9fa8f76bf'
                        key: {
                            document_key: '52ad1d906a9b4052a92f4c16e848742e'
                            variable: '571e6a25c3b2220076173b0ac3d3ae46'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'edc4d5495e664d928ef6fb21b1802e4a'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'instances_succeeded'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'ef14cc23c13544f8ae311b6cbf0800d1'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'account'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_choice'
                        id: 'f0d3fbd6b5cd4df49a68be5f64740dbe'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'gate_state'
                            value: 'scheduled'
                            language: 'en'
                            dependent_value: 'NULL'
                        }
                    },
                    {
                        table: 'sys_user_role'
                        id: 'f104da37212642188389bf506a9fc3eb'
                        key: {
                            name: 'x_pbridge.integration'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'f151fd44de5f42a6aecc7ba9eaca510a'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'region'
                            language: 'en'
                        }
                    },
                    {
                        table: 'item_option_new'
                        id: 'f197d15415b74738913808b486429fc9'
                        key: {
                            cat_item: '4723dead19e647e7a84319569b33291f'
                            variable_set: 'NULL'
                            name: 'target_type'
                        }
                    },
                    {
                        table: 'sys_element_mapping'
                        id: 'f22e03c9b54b495d91131ffc7d153595'
                        key: {
                            field: 'script'
                            table: 'var__m_atf_input_variable_41de4a935332120028bc29cac2dc349a'
                            id: '6bd4bb058476461ca9b02b7e8b102446'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'f283a0cd2c624bdcbc903e675a0f50a7'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'urgency'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'f452a48195ea4823a56996d6ba0c629a'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'run_id'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'f5059bb21c464235b4cbaa957aa2a84f'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'gate_result'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'f673c17957e5419d90ee15951f526c28'
                        key: {
                            name: 'x_pbridge_window'
                            element: 'gate_state'
                            language: 'en'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'f6be9028012d48fb9244e4a1424a265c'
                        key: {
                            document_key: 'f6f01a9da87e4bfd82afab00260b2b3f'
                            variable: '98c44875ffa033008d3f5d9ad53bf1fa'
                        }
                    },
                    {
                        table: 'sys_documentation'
                        id: 'f706ac84e253409dafff9919d7b3d7b1'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'instances_timed_out'
                            language: 'en'
                        }
                    },
                    {
                        table: 'question_choice'
                        id: 'f7dce1bc55f940d2aa756e07aebbfa8d'
                        key: {
                            question: {
                                id: 'a6537886fa644a829424629c2f56ceb0'
                                key: {
                                    cat_item: '4723dead19e647e7a84319569b33291f'
                                    variable_set: 'NULL'
                                    name: 'reboot_option'
                                }
                            }
                            value: 'NoReboot'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'f85b65b50a104a3a9082b8fa2767c8de'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'started_at'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'f9f7023132ec4577afe49dcbfb143c83'
                        key: {
                            name: 'x_pbridge_patch_run'
                            element: 'patchbridge_link'
                        }
                    },
                    {
                        table: 'catalog_ui_policy_action'
                        id: 'fb36c935b678475faad59496e8714e2f'
                        key: {
                            ui_policy: '1d8426142f7b44c68cbf6ce53ee66110'
                            catalog_variable: 'IO:aa6da09bbcd94de5bca29a43e5c0efcd'
                        }
                    },
                    {
                        table: 'sys_dictionary'
                        id: 'fc9f4d38e55643e68c58616652cfd0b0'
                        key: {
                            name: 'x_pbridge_failure_import'
                            element: 'short_description'
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'fd3260457fb646b0a39ea3a966e9767f'
                        key: {
                            document_key: '0db81d33485046d69b0794dd43e6d3dc'
                            variable: '346eea25c3b2220076173b0ac3d3ae8b'
                        }
                    },
                    {
                        table: 'sys_security_acl_role'
                        id: 'fde3f334c3794f4b9e40faa98f690346'
                        key: {
                            sys_security_acl: '729b900ac13c41589f104175adfcd0fe'
                            sys_user_role: {
                                id: 'bc329471c7b24f899f04166e24358cd3'
                                key: {
                                    name: 'x_pbridge.admin'
                                }
                            }
                        }
                    },
                    {
                        table: 'sys_variable_value'
                        id: 'feb8fb1d87e947468172c39f1810b7d9'
                        key: {
                            document_key: 'f6f01a9da87e4bfd82afab00260b2b3f'
                            variable: '8c07aba5ff6033008d3f5d9ad53bf13b'
                        }
                    },
                ]
            }
        }
    }
}
