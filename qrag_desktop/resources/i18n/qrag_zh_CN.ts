<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <location filename="../../ui/ask_controller.py" line="51"/>
        <source>all folders</source>
        <translation>所有文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/ask_controller.py" line="53"/>
        <source>the folder %1</source>
        <translation>文件夹 %1</translation>
    </message>
    <message>
        <location filename="../../ui/ask_controller.py" line="54"/>
        <source>the file %1</source>
        <translation>文件 %1</translation>
    </message>
    <message>
        <location filename="../../ui/ask_controller.py" line="165"/>
        <source>No passages were found for this question. Is anything indexed yet?</source>
        <translation>没有找到与此问题相关的段落。是否已经索引了文档？</translation>
    </message>
    <message>
        <location filename="../../ui/ask_controller.py" line="168"/>
        <source>All relevant passages are in local-only folders, so nothing was sent to the cloud model.</source>
        <translation>所有相关段落都在“仅本地”文件夹中，因此没有发送任何内容给云端模型。</translation>
    </message>
    <message>
        <location filename="../../ui/ask_controller.py" line="189"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <location filename="../../ui/ask_controller.py" line="265"/>
        <source>No app is set up to open %1</source>
        <translation>没有可打开 %1 的应用</translation>
    </message>
    <message>
        <location filename="../../ui/ask_controller.py" line="333"/>
        <source>Delete conversation</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <location filename="../../ui/ask_controller.py" line="333"/>
        <source>Delete this conversation and its answers?</source>
        <translation>删除此对话及其回答？</translation>
    </message>
    <message>
        <location filename="../../ui/folder_actions.py" line="53"/>
        <source>Remove folder</source>
        <translation>移除文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/folder_actions.py" line="55"/>
        <source>Remove %1 from the knowledge base? Its passages leave the index; the files stay where they are.</source>
        <translation>从知识库中移除 %1？其段落将从索引中删除；文件本身保留在原处。</translation>
    </message>
    <message>
        <location filename="../../ui/folder_actions.py" line="80"/>
        <source>Cannot watch the folders for changes (%1). Index again after editing files.</source>
        <translation>无法监视文件夹的变化（%1）。编辑文件后请点击“重新索引”。</translation>
    </message>
    <message>
        <location filename="../../ui/i18n.py" line="98"/>
        <source>Unexpected error: %1</source>
        <translation>意外错误：%1</translation>
    </message>
    <message>
        <location filename="../../ui/model_setup.py" line="131"/>
        <source>That folder does not hold a model (no config.json in it). Choose the model&apos;s folder.</source>
        <translation>该文件夹中没有模型（缺少 config.json）。请选择模型所在的文件夹。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_controller.py" line="71"/>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../ui/settings_controller.py" line="85"/>
        <source>Index again?</source>
        <translation>重新索引？</translation>
    </message>
    <message>
        <location filename="../../ui/settings_controller.py" line="87"/>
        <source>The embedding model or vector size changed. Every passage must be embedded again, which can take a while. Index again now?</source>
        <translation>嵌入模型或向量维度已更改。所有段落都需要重新嵌入，这可能需要一些时间。现在重新索引吗？</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="146"/>
        <location filename="../../ui/status_bar.py" line="156"/>
        <source>Index</source>
        <translation>索引</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="167"/>
        <source>Index not available: %1</source>
        <translation>索引不可用：%1</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="170"/>
        <source>Device: %1</source>
        <translation>设备：%1</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="170"/>
        <source>checking…</source>
        <translation>检测中…</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="176"/>
        <source>Keyword search only (no embedding model)</source>
        <translation>仅关键词搜索（无嵌入模型）</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="178"/>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="180"/>
        <source>Embedding: %1 · Reranking: %2</source>
        <translation>嵌入：%1 · 重排序：%2</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="188"/>
        <source>Index: %1 files, %2 passages, %3 MB</source>
        <translation>索引：%1 个文件，%2 个段落，%3 MB</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="194"/>
        <source>incomplete</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="209"/>
        <source>Indexing…</source>
        <translation>索引中…</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="211"/>
        <source>Answering…</source>
        <translation>回答中…</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="213"/>
        <source>Downloading…</source>
        <translation>下载中…</translation>
    </message>
    <message>
        <location filename="../../ui/status_bar.py" line="215"/>
        <source>Removing…</source>
        <translation>移除中…</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <location filename="../../app.py" line="88"/>
        <source>Something went wrong: %1

The details are in the log file:
%2</source>
        <translation>出错了：%1

详细信息见日志文件：
%2</translation>
    </message>
    <message>
        <location filename="../../app.py" line="199"/>
        <source>qrag-desktop is already running on this knowledge base:
%1</source>
        <translation>qrag-desktop 已在此知识库上运行：
%1</translation>
    </message>
</context>
<context>
    <name>ChatPane</name>
    <message>
        <location filename="../../ui/chat_pane.py" line="108"/>
        <source>Ask a question about your documents…</source>
        <translation>就您的文档提一个问题…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="109"/>
        <source>Ask</source>
        <translation>提问</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="110"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="111"/>
        <source>Copy answer</source>
        <translation>复制回答</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="112"/>
        <source>Copy the last answer, as Markdown, to the clipboard.</source>
        <translation>将最近的回答以 Markdown 格式复制到剪贴板。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="174"/>
        <source>## Ask your documents

Type a question below. The answer is written from the passages found in your knowledge folders, with numbered citations you can click.

Add folders on the left; indexing starts by itself.</source>
        <translation>## 向您的文档提问

在下方输入问题。回答依据知识文件夹中找到的段落生成，并附有可点击的编号引用。

在左侧添加文件夹，索引会自动开始。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="182"/>
        <source>Searching your documents…</source>
        <translation>正在搜索您的文档…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="186"/>
        <source>Writing the answer…</source>
        <translation>正在生成回答…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="188"/>
        <source>No generated answer.</source>
        <translation>没有生成回答。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="190"/>
        <source>The best passages are listed under Sources, on the right.</source>
        <translation>最相关的段落列在右侧的“来源”中。</translation>
    </message>
</context>
<context>
    <name>ConversationsPanel</name>
    <message>
        <location filename="../../ui/conversations_panel.py" line="32"/>
        <source>Today %1</source>
        <translation>今天 %1</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="34"/>
        <source>Yesterday %1</source>
        <translation>昨天 %1</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="76"/>
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="77"/>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="78"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="79"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="89"/>
        <source>%1 · %2 questions</source>
        <translation>%1 · %2 个问题</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="115"/>
        <source>Rename conversation</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <location filename="../../ui/conversations_panel.py" line="115"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
</context>
<context>
    <name>DocumentViewer</name>
    <message>
        <location filename="../../ui/document_viewer.py" line="88"/>
        <source>Open in system app</source>
        <translation>用系统应用打开</translation>
    </message>
    <message>
        <location filename="../../ui/document_viewer.py" line="89"/>
        <source>Open the file with the app your system uses for it</source>
        <translation>用系统为此文件设置的应用打开</translation>
    </message>
    <message>
        <location filename="../../ui/document_viewer.py" line="100"/>
        <source>%1 — page %2</source>
        <translation>%1 — 第 %2 页</translation>
    </message>
    <message>
        <location filename="../../ui/document_viewer.py" line="130"/>
        <source>This PDF cannot be shown here. Open it in the system app.</source>
        <translation>此 PDF 无法在这里显示。请用系统应用打开。</translation>
    </message>
    <message>
        <location filename="../../ui/document_viewer.py" line="168"/>
        <source>This file cannot be shown: %1</source>
        <translation>无法显示此文件：%1</translation>
    </message>
    <message>
        <location filename="../../ui/document_viewer.py" line="193"/>
        <source>page %1</source>
        <translation>第 %1 页</translation>
    </message>
</context>
<context>
    <name>Duration</name>
    <message numerus="yes">
        <location filename="../../ui/indexing_view.py" line="53"/>
        <source>%n s</source>
        <translation>
            <numerusform>%n 秒</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="56"/>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="61"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
</context>
<context>
    <name>FileStatus</name>
    <message>
        <location filename="../../ui/indexing_view.py" line="39"/>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="40"/>
        <source>Reading</source>
        <translation>读取中</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="41"/>
        <source>Embedding</source>
        <translation>嵌入中</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="42"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="43"/>
        <source>Unchanged</source>
        <translation>未变化</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="44"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="45"/>
        <source>Removed</source>
        <translation>已移除</translation>
    </message>
</context>
<context>
    <name>FileTableModel</name>
    <message>
        <location filename="../../ui/indexing_view.py" line="171"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="172"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="173"/>
        <source>Chunks</source>
        <translation>段落</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="174"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="71"/>
        <source>Models needed</source>
        <translation>需要模型</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="94"/>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="96"/>
        <source>Choose a model folder…</source>
        <translation>选择模型文件夹…</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="98"/>
        <source>Continue with keyword search only</source>
        <translation>仅使用关键词搜索继续</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="100"/>
        <source>Continue without reranking</source>
        <translation>不重排序继续</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="110"/>
        <source>To search by meaning, qrag-desktop needs its language models on this computer. They are downloaded once and then work offline. Until then, keyword search works with no model.</source>
        <translation>要按语义搜索，qrag-desktop 需要在本机上有语言模型。模型只需下载一次，之后可离线使用。在此之前，关键词搜索无需模型即可使用。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="116"/>
        <source>The reranking model is not on this computer. Without it, results are not reranked.</source>
        <translation>本机上没有重排序模型。没有它，结果不会被重新排序。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="149"/>
        <source>Embedding model (search by meaning)</source>
        <translation>嵌入模型（语义搜索）</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="151"/>
        <source>Reranking model</source>
        <translation>重排序模型</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="158"/>
        <source>Download (%1)</source>
        <translation>下载（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="158"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="170"/>
        <source>Downloading %1: %2 of %3</source>
        <translation>正在下载 %1：%2 / %3</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="183"/>
        <source>Download cancelled. Downloading again continues where it stopped.</source>
        <translation>下载已取消。再次下载会从中断处继续。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="207"/>
        <source>Connecting to the model hub…</source>
        <translation>正在连接模型仓库…</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="213"/>
        <source>Choose the folder that holds the models</source>
        <translation>选择存放模型的文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="231"/>
        <source>No model was found in %1 (a model&apos;s folder holds a config.json). Choose the model&apos;s folder, or a folder that holds the model folders.</source>
        <translation>在 %1 中没有找到模型（模型文件夹里有 config.json）。请选择模型所在的文件夹，或包含各模型文件夹的文件夹。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="235"/>
        <source>No reranking model in that folder. Choose the reranking model&apos;s folder.</source>
        <translation>该文件夹中没有重排序模型。请选择重排序模型所在的文件夹。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="240"/>
        <source>Embedding model: %1.</source>
        <translation>嵌入模型：%1。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="242"/>
        <source>No embedding model in that folder.</source>
        <translation>该文件夹中没有嵌入模型。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="244"/>
        <source>Reranking model: %1.</source>
        <translation>重排序模型：%1。</translation>
    </message>
    <message>
        <location filename="../../ui/first_run_dialog.py" line="247"/>
        <source>No reranking model in that folder: results are not reranked until one is set.</source>
        <translation>该文件夹中没有重排序模型：设置之前，结果不会重排序。</translation>
    </message>
</context>
<context>
    <name>FoldersPanel</name>
    <message>
        <location filename="../../ui/folders_panel.py" line="149"/>
        <source>Knowledge folders</source>
        <translation>知识文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="151"/>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="152"/>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="153"/>
        <source>Passages</source>
        <translation>段落</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="154"/>
        <source>Last indexed</source>
        <translation>上次索引</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="155"/>
        <source>Local only</source>
        <translation>仅本地</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="162"/>
        <source>Passages from a local-only folder are searched but never sent to the cloud model.</source>
        <translation>“仅本地”文件夹中的段落可以被搜索，但绝不会发送给云端模型。</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="164"/>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="165"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="166"/>
        <source>Index again</source>
        <translation>重新索引</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="167"/>
        <source>Look for new, changed and deleted files in all folders.</source>
        <translation>在所有文件夹中查找新增、修改和删除的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="170"/>
        <source>Add a folder of documents (Markdown, text, PDF, Word, HTML), or drop one on this window.</source>
        <translation>添加一个文档文件夹（Markdown、文本、PDF、Word、HTML），或将其拖放到此窗口。</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="233"/>
        <source>(%1 failed)</source>
        <translation>（%1 个失败）</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="236"/>
        <location filename="../../ui/folders_panel.py" line="246"/>
        <source>not yet</source>
        <translation>尚未</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="260"/>
        <source>Choose a folder of documents</source>
        <translation>选择文档文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="287"/>
        <source>Already in the knowledge base</source>
        <translation>已在知识库中</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="288"/>
        <source>%1 is already part of the knowledge folder %2.</source>
        <translation>%1 已经属于知识文件夹 %2。</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="295"/>
        <source>Merge folders?</source>
        <translation>合并文件夹？</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="297"/>
        <source>%1 contains folders that are already in the knowledge base:
%2

Add it and merge them into it? Their passages are kept; nothing is indexed twice.</source>
        <translation>%1 包含已在知识库中的文件夹：
%2

添加它并将这些文件夹合并进来吗？它们的段落会保留，不会重复索引。</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="225"/>
        <source>not found — remove</source>
        <translation>找不到 — 移除</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="227"/>
        <source>This folder is not on disk now (moved, deleted or unmounted).</source>
        <translation>此文件夹现在不在磁盘上（已移动、删除或卸载）。</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="238"/>
        <source>incomplete — resume</source>
        <translation>未完成 — 继续</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="241"/>
        <source>Indexing stopped before the end here. Double-click to go on.</source>
        <translation>此处的索引在完成前停止了。双击继续。</translation>
    </message>
    <message>
        <location filename="../../ui/folders_panel.py" line="248"/>
        <source>indexing…</source>
        <translation>索引中…</translation>
    </message>
</context>
<context>
    <name>IndexingView</name>
    <message>
        <location filename="../../ui/indexing_view.py" line="290"/>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="291"/>
        <source>Chunks</source>
        <translation>段落</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="292"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="293"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="294"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="295"/>
        <source>Retry failed files</source>
        <translation>重试失败的文件</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="388"/>
        <source>Indexing cancelled. What was done is kept; indexing again continues from there.</source>
        <translation>索引已取消。已完成的部分会保留，再次索引将从那里继续。</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="393"/>
        <source>Indexing done: %1 indexed, %2 unchanged, %3 failed. %4 passages in the index.</source>
        <translation>索引完成：已索引 %1 个，未变化 %2 个，失败 %3 个。索引中共有 %4 个段落。</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="404"/>
        <source>Indexing stopped: %1</source>
        <translation>索引已停止：%1</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="406"/>
        <source>Paused. Resume to go on.</source>
        <translation>已暂停。点击“继续”以继续。</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="401"/>
        <source>Indexing is paused (since the last session). Resume goes on where it stopped.</source>
        <translation>索引已暂停（自上次使用起）。点击“继续”从停下的地方接着做。</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="411"/>
        <source>Starting (loading the embedding model)…</source>
        <translation>正在启动（加载嵌入模型）…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="412"/>
        <source>Looking for files…</source>
        <translation>正在查找文件…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="413"/>
        <source>Reading files…</source>
        <translation>正在读取文件…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="414"/>
        <source>Embedding passages…</source>
        <translation>正在嵌入段落…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="415"/>
        <source>Removing files that are gone…</source>
        <translation>正在移除已不存在的文件…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="426"/>
        <source>Nothing is being indexed. Add a folder to start.</source>
        <translation>当前没有索引任务。添加一个文件夹即可开始。</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="435"/>
        <source>%1 of %2 files</source>
        <translation>%1 / %2 个文件</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="440"/>
        <source>%1 of %2 passages</source>
        <translation>%1 / %2 个段落</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="445"/>
        <source>%1 passages/s</source>
        <translation>%1 段落/秒</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="448"/>
        <source>about %1 left</source>
        <translation>约剩 %1</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="450"/>
        <source>time left: estimating…</source>
        <translation>剩余时间：正在估算…</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="453"/>
        <source>took %1</source>
        <translation>用时 %1</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="458"/>
        <source>Current file: %1</source>
        <translation>当前文件：%1</translation>
    </message>
    <message>
        <location filename="../../ui/indexing_view.py" line="423"/>
        <source>Nothing is being indexed now. Changes in the folders are indexed as they happen.</source>
        <translation>当前没有正在进行的索引。文件夹中的更改会随时被索引。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/indexing_view.py" line="419"/>
        <source>Indexing stopped before the end in %n folder(s). Index again to go on.</source>
        <translation>
            <numerusform>%n 个文件夹的索引在完成前停止了。重新索引即可继续。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="192"/>
        <source>qrag-desktop — your private knowledge base</source>
        <translation>qrag-desktop — 您的私人知识库</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="193"/>
        <source>Ask</source>
        <translation>提问</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="194"/>
        <source>Indexing</source>
        <translation>索引</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="195"/>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="196"/>
        <source>Add a folder of documents to the knowledge base</source>
        <translation>向知识库添加文档文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="197"/>
        <source>New conversation</source>
        <translation>新对话</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="198"/>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="201"/>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="230"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="199"/>
        <source>Side panel</source>
        <translation>侧边栏</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="200"/>
        <source>Show or hide the folders and conversations (Ctrl+B)</source>
        <translation>显示或隐藏文件夹和对话（Ctrl+B）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="233"/>
        <source>Conversations</source>
        <translation>对话</translation>
    </message>
</context>
<context>
    <name>ScopeSelector</name>
    <message>
        <location filename="../../ui/scope_selector.py" line="57"/>
        <source>All folders</source>
        <translation>所有文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/scope_selector.py" line="58"/>
        <source>One folder</source>
        <translation>一个文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/scope_selector.py" line="59"/>
        <source>One file</source>
        <translation>一个文件</translation>
    </message>
    <message>
        <location filename="../../ui/scope_selector.py" line="60"/>
        <source>What the question is asked of</source>
        <translation>在哪些文档中提问</translation>
    </message>
    <message>
        <location filename="../../ui/scope_selector.py" line="61"/>
        <source>Type part of a file name</source>
        <translation>输入文件名的一部分</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../ui/settings_dialog.py" line="52"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="63"/>
        <source>From the environment (OPENAI_API_KEY): %1</source>
        <translation>来自环境变量（OPENAI_API_KEY）：%1</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="64"/>
        <source>Saved in the system keychain: %1</source>
        <translation>已保存在系统钥匙串中：%1</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="65"/>
        <source>sk-…</source>
        <translation>sk-…</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="67"/>
        <source>Remove key</source>
        <translation>删除密钥</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="71"/>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="85"/>
        <source>From the environment (OPENAI_BASE_URL): %1</source>
        <translation>来自环境变量（OPENAI_BASE_URL）：%1</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="89"/>
        <source>Answers (cloud model)</source>
        <translation>回答（云端模型）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="91"/>
        <source>OpenAI API key</source>
        <translation>OpenAI API 密钥</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="93"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="94"/>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="95"/>
        <source>The key is kept in the system keychain, never in the settings file.</source>
        <translation>密钥保存在系统钥匙串中，绝不会写入设置文件。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="105"/>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="106"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="107"/>
        <source>NVIDIA GPU (CUDA)</source>
        <translation>NVIDIA GPU（CUDA）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="108"/>
        <source>Apple GPU (MPS)</source>
        <translation>Apple GPU（MPS）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="115"/>
        <source>Full size</source>
        <translation>完整维度</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="121"/>
        <source>Local models</source>
        <translation>本地模型</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="123"/>
        <source>Embedding model</source>
        <translation>嵌入模型</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="124"/>
        <source>Reranking model</source>
        <translation>重排序模型</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="125"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="128"/>
        <source>Vector size (MRL): smaller vectors take less space and search a little faster, with slightly less accurate results. Changing it indexes everything again.</source>
        <translation>向量维度（MRL）：向量越小，占用空间越少、搜索稍快，但结果略欠准确。更改后需要重新索引全部内容。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="132"/>
        <source>Size of the stored vectors</source>
        <translation>存储的向量大小</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="159"/>
        <source>Candidates per method: how many passages keyword search and meaning search each find before they are merged and reranked. More finds more, but answers a little slower.</source>
        <translation>每种方法的候选数：关键词搜索和语义搜索各自找出多少段落，然后再合并并重排序。越多找到的越全，但回答稍慢。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="163"/>
        <source>Passages looked at per search</source>
        <translation>每次搜索查看的段落数</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="133"/>
        <source>Task instruction</source>
        <translation>任务指令</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="137"/>
        <source>Set by the environment for this run: %1. Other values come from the settings file.</source>
        <translation>本次运行由环境变量设置：%1。其他值来自设置文件。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="140"/>
        <source>These values come from the settings file.</source>
        <translation>这些值来自设置文件。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="153"/>
        <source>Rerank the candidates with the reranking model</source>
        <translation>使用重排序模型对候选结果重新排序</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="155"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="164"/>
        <source>Passages per answer</source>
        <translation>每个回答的段落数</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="169"/>
        <source>Read scanned PDF pages (OCR)</source>
        <translation>读取扫描的 PDF 页面（OCR）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="173"/>
        <source>OCR reads the text of PDF pages that are only a scanned image, on this computer; nothing is sent anywhere. It makes indexing slower: seconds per scanned page. Scans that failed while it was off are read at the next index run.</source>
        <translation>OCR 在这台电脑上识别只有扫描图像的 PDF 页面中的文字，不会发送任何内容。它会让索引变慢：每个扫描页需要数秒。关闭 OCR 时失败的扫描件会在下次索引时重新读取。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="178"/>
        <source>Indexing</source>
        <translation>索引</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="184"/>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="188"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="190"/>
        <source>Interface language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="210"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="218"/>
        <source>How long the reranking model may take per question. Passages it has not read by then keep their keyword and meaning order, below the reranked ones; none are left out. Default: %1 s on a CPU, no limit on a GPU.</source>
        <translation>每个问题允许重排序模型使用的时间。到时尚未读取的段落保持关键词和语义匹配的顺序，排在已重排序的段落之后；不会遗漏任何段落。默认：CPU 上 %1 秒，GPU 上不限。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="230"/>
        <source>Time for reranking (seconds)</source>
        <translation>重排序时间（秒）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="237"/>
        <source>Default: %1 s on a CPU, no limit on a GPU.</source>
        <translation>默认：CPU 上 %1 秒，GPU 上不限。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="241"/>
        <source>From the settings file: no limit.</source>
        <translation>来自设置文件：不限。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="243"/>
        <source>From the settings file: at most %1 s per question.</source>
        <translation>来自设置文件：每个问题最多 %1 秒。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="247"/>
        <source>At most %1 s per question, on a CPU or a GPU.</source>
        <translation>每个问题最多 %1 秒，CPU 和 GPU 均适用。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="262"/>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="263"/>
        <source>Use a model from a folder on this computer instead of a model id.</source>
        <translation>使用本机文件夹中的模型，而不是模型 ID。</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="266"/>
        <source>Choose the folder that holds the model</source>
        <translation>选择包含模型的文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="278"/>
        <source>No key (it will be removed when you save)</source>
        <translation>无密钥（保存时将删除）</translation>
    </message>
    <message>
        <location filename="../../ui/settings_dialog.py" line="284"/>
        <source>Testing…</source>
        <translation>测试中…</translation>
    </message>
</context>
<context>
    <name>SourcesPanel</name>
    <message>
        <location filename="../../ui/sources_panel.py" line="70"/>
        <source>Nothing was sent to the cloud for this question.</source>
        <translation>这个问题没有发送任何内容到云端。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="74"/>
        <source>Nothing was sent to the cloud for this question. This is the text that would go to %1 at %2 (%3 tokens):</source>
        <translation>这个问题没有发送任何内容到云端。以下是本会发送给 %2 上的 %1 的文本（%3 个词元）：</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="80"/>
        <source>This exact text was sent to %1 at %2 (%3 tokens with the instructions and earlier turns):</source>
        <translation>以下文本原样发送给了 %2 上的 %1（含指令和之前的对话，共 %3 个词元）：</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="216"/>
        <source>Sources</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="217"/>
        <source>Sent to the cloud</source>
        <translation>发送到云端</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="219"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="219"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="219"/>
        <source>Page / heading</source>
        <translation>页码 / 标题</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="219"/>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="221"/>
        <source>Open file</source>
        <translation>打开文件</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="325"/>
        <source>Ask a question: the passages it is answered from appear here.</source>
        <translation>提一个问题：回答所依据的段落会显示在这里。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="327"/>
        <source>Keyword and meaning matches; reranking…</source>
        <translation>关键词与语义匹配结果；正在重排序…</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="331"/>
        <source>%1 of %2 reranked (time budget); the others follow in keyword and meaning order.</source>
        <translation>已重排序 %2 条中的 %1 条（时间限制）；其余段落按关键词和语义匹配的顺序排在后面。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="333"/>
        <source>%1 of %2 reranked; the others follow in keyword and meaning order.</source>
        <translation>已重排序 %2 条中的 %1 条；其余段落按关键词和语义匹配的顺序排在后面。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="337"/>
        <source>Best passages, reranked by relevance.</source>
        <translation>最相关的段落，已按相关性重排序。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="339"/>
        <source>Passages used for this answer.</source>
        <translation>此回答使用的段落。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="72"/>
        <source>the cloud model</source>
        <translation>云端模型</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="359"/>
        <location filename="../../ui/sources_panel.py" line="396"/>
        <source>page %1</source>
        <translation>第 %1 页</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="362"/>
        <source>local</source>
        <translation>本地</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="371"/>
        <source>From a local-only folder: searched, never sent to the cloud model.</source>
        <translation>来自“仅本地”文件夹：可被搜索，绝不发送给云端模型。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="375"/>
        <source>Not reranked: it keeps its keyword and meaning order.</source>
        <translation>未重排序：保持关键词和语义匹配的顺序。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="401"/>
        <source>Local only: this passage was not sent to the cloud model.</source>
        <translation>仅本地：此段落未发送给云端模型。</translation>
    </message>
    <message>
        <location filename="../../ui/sources_panel.py" line="347"/>
        <source>Searched: %1.</source>
        <translation>搜索范围：%1。</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <location filename="../../core/answer.py" line="245"/>
        <source>No OpenAI API key is set.</source>
        <translation>尚未设置 OpenAI API 密钥。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="247"/>
        <source>Add it in Settings, or set OPENAI_API_KEY.</source>
        <translation>请在“设置”中添加，或设置环境变量 OPENAI_API_KEY。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="330"/>
        <source>The answer server did not respond within %1 s.</source>
        <translation>回答服务器在 %1 秒内没有响应。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="333"/>
        <source>Try again, or raise the timeout in Settings.</source>
        <translation>请重试，或在“设置”中调大超时时间。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="337"/>
        <source>Cannot reach %1: no network or the server is down.</source>
        <translation>无法连接 %1：没有网络或服务器已停止。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="344"/>
        <source>The API key was rejected (401).</source>
        <translation>API 密钥被拒绝（401）。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="346"/>
        <source>Check the key in Settings (or OPENAI_API_KEY): it may be mistyped, revoked or expired.</source>
        <translation>请检查“设置”中的密钥（或 OPENAI_API_KEY）：可能输错、已被吊销或已过期。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="354"/>
        <source>The account&apos;s quota is used up (429).</source>
        <translation>该账户的额度已用完（429）。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="356"/>
        <source>Check the plan and billing of the OpenAI account.</source>
        <translation>请检查 OpenAI 账户的套餐和账单。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="359"/>
        <source>Too many requests: the answer server is rate limiting this key (429).</source>
        <translation>请求过多：回答服务器正在限制此密钥的请求频率（429）。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="363"/>
        <source>Wait a minute and try again.</source>
        <translation>请稍等一分钟再试。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="367"/>
        <source>The model %1 was not found at %2 (404).</source>
        <translation>在 %2 上找不到模型 %1（404）。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="370"/>
        <source>Check the model name and server address in Settings.</source>
        <translation>请检查“设置”中的模型名称和服务器地址。</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="374"/>
        <source>The answer server returned an error (%1): %2</source>
        <translation>回答服务器返回错误（%1）：%2</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="380"/>
        <source>The answer server reported an error: %1</source>
        <translation>回答服务器报告错误：%1</translation>
    </message>
    <message>
        <location filename="../../core/answer.py" line="385"/>
        <source>The answer server&apos;s reply could not be read: %1</source>
        <translation>无法读取回答服务器的回复：%1</translation>
    </message>
    <message>
        <location filename="../../core/engine.py" line="89"/>
        <source>The question is empty.</source>
        <translation>问题为空。</translation>
    </message>
    <message>
        <location filename="../../core/engine.py" line="90"/>
        <source>Type a few words to search for.</source>
        <translation>请输入几个要搜索的词。</translation>
    </message>
    <message>
        <location filename="../../core/engine.py" line="95"/>
        <source>top-k must be at least 1, not %1.</source>
        <translation>top-k 至少为 1，而不是 %1。</translation>
    </message>
    <message>
        <location filename="../../core/engine.py" line="99"/>
        <source>A search returns at most %1 passages: top-k %2 was lowered to it.</source>
        <translation>一次搜索最多返回 %1 个段落：top-k %2 已降为此值。</translation>
    </message>
    <message>
        <location filename="../../core/engine.py" line="157"/>
        <source>This knowledge base was closed.</source>
        <translation>此知识库已关闭。</translation>
    </message>
    <message>
        <location filename="../../core/engine.py" line="414"/>
        <source>This index was built for keyword search only; results are keyword matches.</source>
        <translation>此索引仅为关键词搜索而建；结果是关键词匹配。</translation>
    </message>
    <message>
        <location filename="../../core/engine.py" line="424"/>
        <source>%1 Results are not reranked.</source>
        <translation>%1 结果未经重排序。</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="46"/>
        <source>The device is set to CUDA, but no CUDA GPU is available to PyTorch on this machine.</source>
        <translation>设备设为 CUDA，但本机的 PyTorch 没有可用的 CUDA GPU。</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="50"/>
        <source>Choose &quot;auto&quot; or &quot;cpu&quot; as the device in Settings, or install a CUDA build of PyTorch.</source>
        <translation>请在设置中将设备选为“auto”或“cpu”，或安装支持 CUDA 的 PyTorch。</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="59"/>
        <source>The device %1 does not exist: this machine has %2 CUDA GPU(s).</source>
        <translation>设备 %1 不存在：本机有 %2 个 CUDA GPU。</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="63"/>
        <source>Choose &quot;cuda&quot; or &quot;auto&quot; as the device in Settings.</source>
        <translation>请在设置中将设备选为“cuda”或“auto”。</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="69"/>
        <source>The device is set to Apple GPU (MPS), but MPS is not available on this machine.</source>
        <translation>设备设为 Apple GPU（MPS），但本机不支持 MPS。</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="72"/>
        <source>Choose &quot;auto&quot; or &quot;cpu&quot; as the device in Settings.</source>
        <translation>请在设置中将设备选为“auto”或“cpu”。</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="76"/>
        <source>Unknown device %1.</source>
        <translation>未知设备 %1。</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="78"/>
        <source>Use one of: %2.</source>
        <translation>请使用以下之一：%2。</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="89"/>
        <source>CUDA GPU</source>
        <translation>CUDA 显卡</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="91"/>
        <source>Apple GPU (MPS)</source>
        <translation>Apple 显卡（MPS）</translation>
    </message>
    <message>
        <location filename="../../core/models/device.py" line="92"/>
        <source>CPU, %1 threads</source>
        <translation>CPU，%1 个线程</translation>
    </message>
    <message>
        <location filename="../../core/models/loading.py" line="37"/>
        <source>The model %1 is not on disk.</source>
        <translation>模型 %1 不在本机磁盘上。</translation>
    </message>
    <message>
        <location filename="../../core/models/loading.py" line="40"/>
        <source>Download it once while connected to the internet, or choose a local folder that holds the model files in Settings.</source>
        <translation>请在联网时下载一次，或在“设置”中选择存放模型文件的本地文件夹。</translation>
    </message>
    <message>
        <location filename="../../core/models/loading.py" line="56"/>
        <source>No model is set.</source>
        <translation>尚未设置模型。</translation>
    </message>
    <message>
        <location filename="../../core/models/loading.py" line="57"/>
        <source>Choose a model in Settings.</source>
        <translation>请在设置中选择一个模型。</translation>
    </message>
    <message>
        <location filename="../../core/models/loading.py" line="63"/>
        <source>The folder %1 does not hold a model (no config.json or modules.json in it).</source>
        <translation>文件夹 %1 中没有模型（其中没有 config.json 或 modules.json）。</translation>
    </message>
    <message>
        <location filename="../../core/models/loading.py" line="67"/>
        <source>Choose the folder that contains the model&apos;s config.json.</source>
        <translation>请选择包含模型 config.json 的文件夹。</translation>
    </message>
    <message>
        <location filename="../../core/models/loading.py" line="72"/>
        <source>The model folder %1 does not exist.</source>
        <translation>模型文件夹 %1 不存在。</translation>
    </message>
    <message>
        <location filename="../../core/models/loading.py" line="74"/>
        <source>Choose an existing folder with the model files, or enter a Hugging Face model id.</source>
        <translation>请选择一个包含模型文件的现有文件夹，或输入 Hugging Face 模型 ID。</translation>
    </message>
    <message>
        <location filename="../../core/conversations.py" line="116"/>
        <source>conversation history</source>
        <translation>对话历史</translation>
    </message>
    <message>
        <location filename="../../core/conversations.py" line="127"/>
        <source>The conversation history %1 was damaged; it was set aside as %2 and a new, empty history was started.</source>
        <translation>对话历史 %1 已损坏；已将其另存为 %2，并开始了一个新的空白历史。</translation>
    </message>
    <message>
        <location filename="../../core/indexer.py" line="250"/>
        <location filename="../../core/documents/__init__.py" line="122"/>
        <source>no text</source>
        <translation>没有文本</translation>
    </message>
    <message>
        <location filename="../../core/indexer.py" line="571"/>
        <location filename="../../core/documents/reading.py" line="58"/>
        <source>file not found (moved or deleted?)</source>
        <translation>找不到文件（已移动或删除？）</translation>
    </message>
    <message>
        <location filename="../../core/indexer.py" line="573"/>
        <location filename="../../core/documents/reading.py" line="60"/>
        <source>permission denied</source>
        <translation>没有权限</translation>
    </message>
    <message>
        <location filename="../../core/indexer.py" line="575"/>
        <source>symlink loop</source>
        <translation>符号链接循环</translation>
    </message>
    <message>
        <location filename="../../core/indexer.py" line="576"/>
        <source>cannot read file: %1</source>
        <translation>无法读取文件：%1</translation>
    </message>
    <message>
        <location filename="../../core/manifest.py" line="87"/>
        <source>index manifest</source>
        <translation>索引清单</translation>
    </message>
    <message>
        <location filename="../../core/manifest.py" line="97"/>
        <source>The index manifest %1 was damaged; it was set aside as %2 and is rebuilt from your files on the next index run (stored passages are reused).</source>
        <translation>索引清单 %1 已损坏；已将其另存为 %2，下次索引时会根据您的文件重建（已存储的段落会被复用）。</translation>
    </message>
    <message>
        <location filename="../../core/secrets.py" line="54"/>
        <source>No system keychain is available to store the %1.</source>
        <translation>没有可用的系统钥匙串来保存%1。</translation>
    </message>
    <message>
        <location filename="../../core/secrets.py" line="57"/>
        <source>Set the %2 environment variable instead, or install a keyring backend (e.g. GNOME Keyring or KWallet on Linux).</source>
        <translation>请改为设置环境变量 %2，或安装一个钥匙串后端（例如 Linux 上的 GNOME Keyring 或 KWallet）。</translation>
    </message>
    <message>
        <location filename="../../core/secrets.py" line="65"/>
        <source>The system keychain refused to store the %1 (%2).</source>
        <translation>系统钥匙串拒绝保存%1（%2）。</translation>
    </message>
    <message>
        <location filename="../../core/secrets.py" line="68"/>
        <source>Unlock the keychain and try again.</source>
        <translation>请解锁钥匙串后重试。</translation>
    </message>
    <message>
        <location filename="../../core/secrets.py" line="85"/>
        <source>OpenAI API key</source>
        <translation>OpenAI API 密钥</translation>
    </message>
    <message>
        <location filename="../../core/secrets.py" line="104"/>
        <source>Milvus token</source>
        <translation>Milvus 令牌</translation>
    </message>
    <message>
        <location filename="../../core/sqlite_files.py" line="38"/>
        <source>The %1 cannot be created</source>
        <translation>无法创建%1</translation>
    </message>
    <message>
        <location filename="../../core/sqlite_files.py" line="100"/>
        <source>The %1 at %2 cannot be written (a read-only disk, or no permission).</source>
        <translation>无法写入位于 %2 的%1（磁盘只读，或没有权限）。</translation>
    </message>
    <message>
        <location filename="../../core/sqlite_files.py" line="103"/>
        <source>Give your user write access to that folder, or choose another with --data-dir.</source>
        <translation>请为您的用户授予该文件夹的写入权限，或用 --data-dir 选择另一个文件夹。</translation>
    </message>
    <message>
        <location filename="../../core/sqlite_files.py" line="109"/>
        <source>The %1 at %2 cannot be written: the disk holding it is full or failing.</source>
        <translation>无法写入位于 %2 的%1：所在磁盘已满或出现故障。</translation>
    </message>
    <message>
        <location filename="../../core/sqlite_files.py" line="114"/>
        <source>Free some space on that disk, then run the same command again.</source>
        <translation>请在该磁盘上释放一些空间，然后再次运行同一命令。</translation>
    </message>
    <message>
        <location filename="../../core/sqlite_files.py" line="117"/>
        <source>The %1 at %2 cannot be opened: %3</source>
        <translation>无法打开位于 %2 的%1：%3</translation>
    </message>
    <message>
        <location filename="../../core/storage.py" line="34"/>
        <source>Free some space on it, then run the same command again: what was stored is kept.</source>
        <translation>请在其上释放一些空间，然后再次运行同一命令：已存储的内容会保留。</translation>
    </message>
    <message>
        <location filename="../../core/storage.py" line="39"/>
        <source>The disk holding %1 is full.</source>
        <translation>%1 所在的磁盘已满。</translation>
    </message>
    <message>
        <location filename="../../core/storage.py" line="42"/>
        <source>The disk holding %1 is full (%2 MB free).</source>
        <translation>%1 所在的磁盘已满（剩余 %2 MB）。</translation>
    </message>
    <message>
        <location filename="../../core/storage.py" line="72"/>
        <source>%1: %2 is on a read-only disk.</source>
        <translation>%1：%2 位于只读磁盘上。</translation>
    </message>
    <message>
        <location filename="../../core/storage.py" line="75"/>
        <source>Choose a writable folder with --data-dir (or QRAG_DATA_DIR).</source>
        <translation>请用 --data-dir（或 QRAG_DATA_DIR）选择一个可写的文件夹。</translation>
    </message>
    <message>
        <location filename="../../core/storage.py" line="79"/>
        <source>%1: no permission to write to %2.</source>
        <translation>%1：没有写入 %2 的权限。</translation>
    </message>
    <message>
        <location filename="../../core/storage.py" line="82"/>
        <source>Give your user write access to it, or choose another folder with --data-dir (or QRAG_DATA_DIR).</source>
        <translation>请给当前用户写入权限，或用 --data-dir（或 QRAG_DATA_DIR）选择其他文件夹。</translation>
    </message>
    <message>
        <location filename="../../core/storage.py" line="88"/>
        <source>%1: %2: %3.</source>
        <translation>%1：%2：%3。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="105"/>
        <source>Re-index with `qrag index --reembed`, or switch back to the old model.</source>
        <translation>请用 `qrag index --reembed` 重新索引，或换回原来的模型。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="161"/>
        <source>open the knowledge base</source>
        <translation>打开知识库</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="164"/>
        <source>The knowledge base at %1 cannot be read: it is damaged.</source>
        <translation>无法读取位于 %1 的知识库：它已损坏。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="167"/>
        <source>`qrag index --rebuild PATH...` sets it aside (nothing is deleted) and rebuilds it.</source>
        <translation>`qrag index --rebuild 路径...` 会将其另存（不删除任何内容）并重建。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="213"/>
        <source>The knowledge base at %1 could not be opened.</source>
        <translation>无法打开位于 %1 的知识库。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="216"/>
        <source>See the log; `qrag index --rebuild PATH...` sets it aside and rebuilds it.</source>
        <translation>请查看日志；`qrag index --rebuild 路径...` 会将其另存并重建。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="230"/>
        <source>The Milvus address %1 is not valid.</source>
        <translation>Milvus 地址 %1 无效。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="232"/>
        <source>Use an address like http://localhost:19530 or https://&lt;host&gt;:&lt;port&gt;.</source>
        <translation>请使用类似 http://localhost:19530 或 https://&lt;主机&gt;:&lt;端口&gt; 的地址。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="238"/>
        <location filename="../../core/store.py" line="277"/>
        <source>Cannot reach the Milvus server at %1.</source>
        <translation>无法连接位于 %1 的 Milvus 服务器。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="241"/>
        <source>Check that the server is running and the address and token are right, or clear the Milvus address in settings to use the local knowledge base.</source>
        <translation>请检查服务器是否在运行、地址和令牌是否正确，或在设置中清除 Milvus 地址以使用本地知识库。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="266"/>
        <source>Could not %1 in the knowledge base at %2.</source>
        <translation>无法在位于 %2 的知识库中%1。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="269"/>
        <source>See the log for details. If it keeps happening the folder may be damaged: moving it away and indexing again rebuilds it.</source>
        <translation>详情请查看日志。如果反复出现，该文件夹可能已损坏：将其移走并重新索引即可重建。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="280"/>
        <source>Check that the server is running.</source>
        <translation>请检查服务器是否在运行。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="283"/>
        <source>The Milvus server at %1 refused to %2: %3</source>
        <translation>位于 %1 的 Milvus 服务器拒绝%2：%3</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="333"/>
        <source>read the index settings</source>
        <translation>读取索引设置</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="353"/>
        <source>load the index</source>
        <translation>加载索引</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="357"/>
        <source>create the index</source>
        <translation>创建索引</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="373"/>
        <source>delete the index</source>
        <translation>删除索引</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="410"/>
        <source>save passages</source>
        <translation>保存段落</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="425"/>
        <source>delete passages</source>
        <translation>删除段落</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="447"/>
        <source>save the index</source>
        <translation>保存索引</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="464"/>
        <source>read vectors</source>
        <translation>读取向量</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="472"/>
        <source>count passages</source>
        <translation>统计段落</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="493"/>
        <source>read the index</source>
        <translation>读取索引</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="526"/>
        <location filename="../../core/store.py" line="546"/>
        <source>search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="676"/>
        <source>The knowledge base at %1 is open in another qrag-desktop process.</source>
        <translation>位于 %1 的知识库已在另一个 qrag-desktop 进程中打开。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="679"/>
        <source>Close the other window, or use --data-dir to open a different knowledge base.</source>
        <translation>请关闭另一个窗口，或用 --data-dir 打开另一个知识库。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="685"/>
        <source>The knowledge base at %1 cannot be opened: it is damaged or not readable.</source>
        <translation>无法打开位于 %1 的知识库：它已损坏或不可读。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="690"/>
        <source>Check its permissions; `qrag index --rebuild PATH...` sets it aside and rebuilds it.</source>
        <translation>请检查其权限；`qrag index --rebuild 路径...` 会将其另存并重建。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="770"/>
        <source>This index was built with %1 (%2 dims); the current model is %3 (%4).</source>
        <translation>此索引是用 %1（%2 维）建立的；当前模型是 %3（%4）。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="778"/>
        <source>This index was built with %1 and the query instruction &quot;%2&quot;; the current instruction is &quot;%3&quot;.</source>
        <translation>此索引是用 %1 和查询指令“%2”建立的；当前指令是“%3”。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="784"/>
        <source>Re-index with `qrag index --reembed`, or switch back to the old instruction.</source>
        <translation>请用 `qrag index --reembed` 重新索引，或换回原来的指令。</translation>
    </message>
    <message>
        <location filename="../../core/store.py" line="807"/>
        <source>The query vector has %1 dims; this index was built with %2 (%3 dims).</source>
        <translation>查询向量为 %1 维；此索引是用 %2（%3 维）建立的。</translation>
    </message>
    <message>
        <location filename="../../core/documents/__init__.py" line="108"/>
        <source>file is too deeply nested to read</source>
        <translation>文件嵌套过深，无法读取</translation>
    </message>
    <message>
        <location filename="../../core/documents/__init__.py" line="112"/>
        <source>file is too large or complex to read (out of memory)</source>
        <translation>文件过大或过于复杂，无法读取（内存不足）</translation>
    </message>
    <message>
        <location filename="../../core/documents/__init__.py" line="116"/>
        <source>could not read this %1 file: %2</source>
        <translation>无法读取此 %1 文件：%2</translation>
    </message>
    <message>
        <location filename="../../core/documents/__init__.py" line="126"/>
        <source>too much text to index (%1 M characters; the limit is %2 M per file)</source>
        <translation>文本过多，无法索引（%1 M 个字符；每个文件的上限为 %2 M）</translation>
    </message>
    <message>
        <location filename="../../core/documents/__init__.py" line="128"/>
        <source>Split the file, or leave it out with a .qragignore line.</source>
        <translation>请拆分该文件，或在 .qragignore 中加一行将其排除。</translation>
    </message>
    <message>
        <location filename="../../core/documents/__init__.py" line="167"/>
        <source>unsupported file type</source>
        <translation>不支持的文件类型</translation>
    </message>
    <message>
        <location filename="../../core/documents/containers.py" line="28"/>
        <source>encrypted %1 (password protected)</source>
        <translation>已加密的 %1（有密码保护）</translation>
    </message>
    <message>
        <location filename="../../core/documents/containers.py" line="30"/>
        <source>not a valid %1 file (an older binary Office format?)</source>
        <translation>不是有效的 %1 文件（旧版二进制 Office 格式？）</translation>
    </message>
    <message>
        <location filename="../../core/documents/containers.py" line="37"/>
        <source>not a valid %1 file</source>
        <translation>不是有效的 %1 文件</translation>
    </message>
    <message>
        <location filename="../../core/documents/containers.py" line="41"/>
        <source>%1 holds %2 parts; refusing to unpack (a zip bomb?)</source>
        <translation>%1 包含 %2 个部分；拒绝解压（压缩炸弹？）</translation>
    </message>
    <message>
        <location filename="../../core/documents/containers.py" line="48"/>
        <source>%1 would unpack to %2 MB from %3 KB; refusing (a zip bomb?)</source>
        <translation>%1 会从 %3 KB 解压为 %2 MB；已拒绝（压缩炸弹？）</translation>
    </message>
    <message>
        <location filename="../../core/documents/docx.py" line="28"/>
        <source>not a valid DOCX file</source>
        <translation>不是有效的 DOCX 文件</translation>
    </message>
    <message>
        <location filename="../../core/documents/encoding.py" line="21"/>
        <source>binary file, not text</source>
        <translation>二进制文件，不是文本</translation>
    </message>
    <message>
        <location filename="../../core/documents/epub.py" line="31"/>
        <source>not a valid EPUB file</source>
        <translation>不是有效的 EPUB 文件</translation>
    </message>
    <message>
        <location filename="../../core/documents/epub.py" line="65"/>
        <location filename="../../core/documents/epub.py" line="68"/>
        <source>DRM-protected EPUB (encrypted content)</source>
        <translation>受 DRM 保护的 EPUB（内容已加密）</translation>
    </message>
    <message>
        <location filename="../../core/documents/isolation.py" line="64"/>
        <source>out of memory: the file needs more than the parser&apos;s %1 MB</source>
        <translation>内存不足：该文件需要的内存超过解析器的 %1 MB</translation>
    </message>
    <message>
        <location filename="../../core/documents/isolation.py" line="72"/>
        <location filename="../../core/documents/reading.py" line="70"/>
        <source>could not read the file: %1</source>
        <translation>无法读取文件：%1</translation>
    </message>
    <message>
        <location filename="../../core/documents/isolation.py" line="136"/>
        <location filename="../../core/documents/isolation.py" line="142"/>
        <source>the file parser could not be started</source>
        <translation>无法启动文件解析器</translation>
    </message>
    <message>
        <location filename="../../core/documents/isolation.py" line="176"/>
        <source>timed out after %1 s</source>
        <translation>%1 秒后超时</translation>
    </message>
    <message>
        <location filename="../../core/documents/isolation.py" line="188"/>
        <source>parser crashed</source>
        <translation>解析器崩溃</translation>
    </message>
    <message>
        <location filename="../../core/documents/ocr.py" line="60"/>
        <source>no text; scanned? (OCR is not installed)</source>
        <translation>没有文本；是扫描件吗？（未安装 OCR）</translation>
    </message>
    <message>
        <location filename="../../core/documents/pdf.py" line="49"/>
        <location filename="../../core/documents/pdf.py" line="133"/>
        <source>encrypted PDF (password protected)</source>
        <translation>已加密的 PDF（有密码保护）</translation>
    </message>
    <message>
        <location filename="../../core/documents/pdf.py" line="53"/>
        <location filename="../../core/documents/pdf.py" line="118"/>
        <location filename="../../core/documents/pdf.py" line="130"/>
        <source>damaged PDF: %1</source>
        <translation>损坏的 PDF：%1</translation>
    </message>
    <message>
        <location filename="../../core/documents/pdf.py" line="67"/>
        <source>damaged PDF: no page could be read</source>
        <translation>损坏的 PDF：没有一页可以读取</translation>
    </message>
    <message>
        <location filename="../../core/documents/pdf.py" line="93"/>
        <source>no text; scanned? (OCR is turned off in Settings)</source>
        <translation>没有文本；是扫描件吗？（已在设置中关闭 OCR）</translation>
    </message>
    <message>
        <location filename="../../core/documents/pdf.py" line="94"/>
        <source>Turn on “Read scanned PDF pages (OCR)” in Settings (ocr_enabled in settings.toml), or index without --no-ocr.</source>
        <translation>请在“设置”中打开“读取扫描的 PDF 页面（OCR）”（即 settings.toml 中的 ocr_enabled），或在索引时不要使用 --no-ocr。</translation>
    </message>
    <message>
        <location filename="../../core/documents/pdf.py" line="101"/>
        <source>no text, even by OCR</source>
        <translation>没有文本，OCR 也未识别出文字</translation>
    </message>
    <message>
        <location filename="../../core/documents/pdf.py" line="103"/>
        <source>no text; scanned?</source>
        <translation>没有文本；是扫描件吗？</translation>
    </message>
    <message>
        <location filename="../../core/documents/pdf.py" line="104"/>
        <source>Run OCR on it first (for example with ocrmypdf).</source>
        <translation>请先对其进行 OCR（例如使用 ocrmypdf）。</translation>
    </message>
    <message>
        <location filename="../../core/documents/pdf.py" line="114"/>
        <location filename="../../core/documents/pdf.py" line="126"/>
        <source>encrypted PDF (needs a decryption library)</source>
        <translation>已加密的 PDF（需要解密库）</translation>
    </message>
    <message>
        <location filename="../../core/documents/pptx.py" line="26"/>
        <source>not a valid PPTX file</source>
        <translation>不是有效的 PPTX 文件</translation>
    </message>
    <message>
        <location filename="../../core/documents/reading.py" line="28"/>
        <location filename="../../core/documents/reading.py" line="62"/>
        <source>this is a folder, not a file</source>
        <translation>这是文件夹，不是文件</translation>
    </message>
    <message>
        <location filename="../../core/documents/reading.py" line="30"/>
        <source>not a regular file (a pipe, socket or device)</source>
        <translation>不是普通文件（管道、套接字或设备）</translation>
    </message>
    <message>
        <location filename="../../core/documents/reading.py" line="40"/>
        <source>empty file</source>
        <translation>空文件</translation>
    </message>
    <message>
        <location filename="../../core/documents/reading.py" line="47"/>
        <source>file too large (%1 MB, limit %2 MB)</source>
        <translation>文件过大（%1 MB，上限 %2 MB）</translation>
    </message>
    <message>
        <location filename="../../core/documents/reading.py" line="65"/>
        <source>symbolic link loop (the link points back to itself)</source>
        <translation>符号链接循环（链接指向其自身）</translation>
    </message>
    <message>
        <location filename="../../core/documents/reading.py" line="68"/>
        <source>file name too long</source>
        <translation>文件名过长</translation>
    </message>
    <message>
        <location filename="../../core/documents/xlsx.py" line="26"/>
        <source>not a valid XLSX file</source>
        <translation>不是有效的 XLSX 文件</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="160"/>
        <source>The data folder cannot be created</source>
        <translation>无法创建数据文件夹</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="167"/>
        <source>The data folder cannot be written</source>
        <translation>无法写入数据文件夹</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="190"/>
        <source>The time for reranking must be more than 0 seconds, not %1.</source>
        <translation>重排序时间必须大于 0 秒，而不是 %1。</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="191"/>
        <source>Set it to Default in Settings, or to a number of seconds such as 2.5.</source>
        <translation>请在“设置”中将其设为“默认”，或设为一个秒数，例如 2.5。</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="209"/>
        <source>The settings file %1 could not be read: %2.</source>
        <translation>无法读取设置文件 %1：%2。</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="212"/>
        <source>Check its permissions.</source>
        <translation>请检查它的权限。</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="224"/>
        <source>The settings file %1 is damaged and could not be set aside.</source>
        <translation>设置文件 %1 已损坏，且无法移到一旁。</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="227"/>
        <source>Fix or delete it; defaults will be used when it is gone.</source>
        <translation>请修复或删除它；删除后将使用默认设置。</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="230"/>
        <source>The settings file %1 was damaged; it was set aside as %2 and the defaults are used.</source>
        <translation>设置文件 %1 已损坏；已移到一旁并改名为 %2，现使用默认设置。</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="235"/>
        <source>Your folders are still indexed; add them again to keep them in the list.</source>
        <translation>您的文件夹仍在索引中；请重新添加它们，以便保留在列表中。</translation>
    </message>
    <message>
        <location filename="../../core/settings.py" line="268"/>
        <source>The settings cannot be saved</source>
        <translation>无法保存设置</translation>
    </message>
    <message>
        <location filename="../../core/types.py" line="102"/>
        <source>%1 of %2 reranked (time budget)</source>
        <translation>已重排序 %2 条中的 %1 条（时间限制）</translation>
    </message>
    <message>
        <location filename="../../core/types.py" line="106"/>
        <source>%1 of %2 reranked</source>
        <translation>已重排序 %2 条中的 %1 条</translation>
    </message>
    <message>
        <location filename="../../core/models/onnx_export.py" line="61"/>
        <source>Preparing the model for this computer, once: step %1 of %2</source>
        <translation>正在为这台电脑准备模型（仅此一次）：第 %1 步，共 %2 步</translation>
    </message>
    <message>
        <location filename="../../core/models/download.py" line="30"/>
        <source>Download cancelled.</source>
        <translation>下载已取消。</translation>
    </message>
    <message>
        <location filename="../../core/models/download.py" line="60"/>
        <source>The model %1 does not exist on the model hub.</source>
        <translation>模型中心上不存在模型 %1。</translation>
    </message>
    <message>
        <location filename="../../core/models/download.py" line="63"/>
        <source>Check the model id in Settings.</source>
        <translation>请在设置中检查模型 ID。</translation>
    </message>
    <message>
        <location filename="../../core/models/download.py" line="67"/>
        <source>The model %1 cannot be downloaded: offline mode is on (HF_HUB_OFFLINE).</source>
        <translation>无法下载模型 %1：离线模式已打开（HF_HUB_OFFLINE）。</translation>
    </message>
    <message>
        <location filename="../../core/models/download.py" line="72"/>
        <source>Unset HF_HUB_OFFLINE, or choose a local folder that holds the model.</source>
        <translation>请取消设置 HF_HUB_OFFLINE，或选择一个包含该模型的本地文件夹。</translation>
    </message>
    <message>
        <location filename="../../core/models/download.py" line="78"/>
        <source>The model %1 cannot be downloaded: the model hub (huggingface.co) cannot be reached.</source>
        <translation>无法下载模型 %1：无法连接模型中心（huggingface.co）。</translation>
    </message>
    <message>
        <location filename="../../core/models/download.py" line="83"/>
        <source>Check the internet connection, or choose a local folder that holds the model.</source>
        <translation>请检查网络连接，或选择一个包含该模型的本地文件夹。</translation>
    </message>
    <message>
        <location filename="../../core/models/download.py" line="132"/>
        <source>The model %1 could not be downloaded.</source>
        <translation>模型 %1 下载失败。</translation>
    </message>
    <message>
        <location filename="../../core/models/download.py" line="135"/>
        <source>Check the internet connection and free disk space, then try again: the download resumes.</source>
        <translation>请检查网络连接和可用磁盘空间，然后重试：下载会从中断处继续。</translation>
    </message>
    <message>
        <location filename="../../core/chunking.py" line="106"/>
        <source>The chunk size must be at least 32 tokens, not %1.</source>
        <translation>分块大小至少为 32 个词元，而不是 %1。</translation>
    </message>
    <message>
        <location filename="../../core/chunking.py" line="108"/>
        <source>Set chunk_tokens in the settings file (settings.toml).</source>
        <translation>请在设置文件（settings.toml）中修改 chunk_tokens。</translation>
    </message>
    <message>
        <location filename="../../core/chunking.py" line="112"/>
        <source>The chunk overlap must be between 0 and half the chunk size (%1 tokens), not %2.</source>
        <translation>分块重叠必须介于 0 和分块大小的一半（%1 个词元）之间，而不是 %2。</translation>
    </message>
    <message>
        <location filename="../../core/chunking.py" line="116"/>
        <source>Set chunk_overlap in the settings file (settings.toml).</source>
        <translation>请在设置文件（settings.toml）中修改 chunk_overlap。</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="112"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
</context>
</TS>
